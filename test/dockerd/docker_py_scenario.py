"""A docker-py scenario against the daemon at DOCKER_HOST (run by docker-py.test.ts).

Prints one JSON object with what docker-py saw; the test judges it. Every
container this script creates has a name starting with "dockerpy-" and is
removed before it exits (the test also checks nothing is left).
"""
import json
import sys
import time

import docker
from docker.errors import ContainerError, NotFound

client = docker.from_env(version="auto", timeout=60)
seen = {"docker_py": docker.__version__}

seen["ping"] = client.ping()
v = client.version()
seen["version"] = {k: v.get(k) for k in ("ApiVersion", "MinAPIVersion", "Os", "Arch")}
seen["api_version"] = client.api.api_version

# run in the foreground, removed afterwards: its stdout comes back
seen["run_output"] = client.containers.run("busybox", "echo hi", remove=True).decode()

# a failing command raises ContainerError with its exit status and stderr
try:
    client.containers.run("busybox", ["sh", "-c", "echo bad >&2; exit 3"], remove=True, stderr=True)
    seen["run_error"] = None
except ContainerError as e:
    seen["run_error"] = {"exit_status": e.exit_status, "stderr": (e.stderr or b"").decode()}

# detached: logs, exec_run, status, stop, wait, remove
c = client.containers.run(
    "busybox",
    ["sh", "-c", "echo started; sleep 0.3; echo oops >&2; trap 'exit 0' TERM; while true; do sleep 0.1; done"],
    detach=True,
    name="dockerpy-detached",
    environment={"GREETING": "hello"},
    labels={"judge": "docker-py"},
)
# two pipes: the sleep in the command keeps the order of the lines in the log fixed
for _ in range(100):
    if c.logs() == b"started\noops\n":
        break
    time.sleep(0.1)
seen["logs"] = c.logs().decode()
seen["logs_stdout_only"] = c.logs(stderr=False).decode()
c.reload()
seen["status_running"] = c.status
seen["name"] = c.name
seen["labels"] = c.labels
seen["listed"] = [x.name for x in client.containers.list(filters={"label": "judge=docker-py"})]

r = c.exec_run(["sh", "-c", "echo $GREETING; exit 4"])
seen["exec"] = {"exit_code": r.exit_code, "output": r.output.decode()}
r = c.exec_run(["sh", "-c", "echo out; echo err >&2"], demux=True)
seen["exec_demux"] = {"exit_code": r.exit_code, "stdout": (r.output[0] or b"").decode(), "stderr": (r.output[1] or b"").decode()}
r = c.exec_run("no-such-binary")
seen["exec_missing"] = {"exit_code": r.exit_code}
r = c.exec_run("pwd", workdir="/tmp", user="65534")
seen["exec_workdir"] = {"exit_code": r.exit_code, "output": r.output.decode()}

c.stop(timeout=10)
seen["wait"] = c.wait(timeout=30)
c.reload()
seen["status_stopped"] = c.status
c.remove()
try:
    client.containers.get("dockerpy-detached")
    seen["after_remove"] = "found"
except NotFound as e:
    seen["after_remove"] = {"status_code": e.status_code, "explanation": e.explanation}

seen["images"] = sorted(t for i in client.images.list() for t in i.tags)
img = client.images.get("busybox")
seen["image"] = {"id": img.id, "tags": img.tags, "cmd": img.attrs["Config"]["Cmd"]}
seen["left"] = [x.name for x in client.containers.list(all=True) if x.name.startswith("dockerpy-")]

json.dump(seen, sys.stdout)
