/**
 * Proof that the real dockerd 20.10 can run containers through berth-runc:
 * a private dockerd (socket, data root, exec root, pid file and config in a temp
 * dir; no bridge, no iptables, no ip forwarding, so the host network is left
 * alone) started with `--add-runtime berth=bin/berth-runc`, driven by the real
 * docker CLI. dockerd starts its own containerd with its state under the exec
 * and data roots; its io.containerd.runc.v2 shims exec berth-runc with
 * --root <exec-root>/runtime-runc/moby.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin } from '../helpers/paths.js';
import { cgroupDirs, haveBinaries, removeCgroupTree, runCmd, runOnPty, waitUntil, type CmdResult } from '../helpers/daemon.js';
import { dockerCli, loadBusybox, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
const available = haveBinaries('dockerd', dockerCli, 'containerd', 'containerd-shim-runc-v2', 'tar', 'script');

describe.skipIf(!available)('real dockerd 20.10 running berth-runc', () => {
  const image = `berth-busybox:${process.pid}`;
  const cgParent = `berth-dockerd-${process.pid}`;
  const berthRunc = bin('berth-runc');
  let dockerd: RealDockerd | undefined;
  let execRoot: string;
  let env: NodeJS.ProcessEnv;
  let seq = 0;

  const docker = (args: string[], timeoutMs = 30_000): CmdResult => runCmd(dockerCli, args, { env, timeoutMs });
  const dockerOnPty = (args: string[]): CmdResult => runOnPty([dockerCli, ...args], { env });
  /** `docker run` with berth as the runtime and no network. */
  const run = (flags: string[], cmd: string[]) => docker(['run', '--runtime', 'berth', '--network', 'none', ...flags, image, ...cmd]);
  const newName = (tag: string) => `berth-${tag}-${process.pid}-${++seq}`;
  /** berth-runc pointed at the root dockerd's shims give it. */
  const berth = (args: string[]) => runCmd(berthRunc, ['--root', path.join(execRoot, 'runtime-runc', 'moby'), ...args]);
  const inspect = (name: string, format: string) => docker(['inspect', '-f', format, name]).stdout.trim();
  const expectNothingLeft = () => expect(berth(['list', '-q']).stdout).toBe('');

  beforeAll(async () => {
    // relative cgroup parent: below this test's own cgroups, where runc puts relative paths
    dockerd = await startRealDockerd({ runtimes: { berth: berthRunc }, extraArgs: ['--cgroup-parent', cgParent] });
    execRoot = dockerd.execRoot;
    env = dockerd.env;
    loadBusybox(dockerd, image);
  });

  afterAll(async () => {
    await dockerd?.stop();
    removeCgroupTree(cgParent);
  });

  it('lists the berth runtime in docker info', () => {
    const r = docker(['info', '--format', '{{json .Runtimes}}']);
    expect(r.status, r.stderr).toBe(0);
    const runtimes = JSON.parse(r.stdout) as Record<string, { path?: string }>;
    expect(runtimes.berth?.path).toBe(berthRunc);
  });

  it('runs a container with its output and exit status, and removes it with --rm', () => {
    const hi = run(['--rm'], ['echo', 'hi']);
    expect(hi.stdout).toBe('hi\n');
    expect(hi.status, hi.stderr).toBe(0);

    const r = run(['--rm'], ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
    expect(r.status).toBe(3);

    const stdin = docker(['run', '--runtime', 'berth', '--network', 'none', '--rm', '-i', image, 'sh', '-c', 'read line; echo "got $line"'], 30_000);
    expect(stdin.stdout).toBe('got \n');
    const piped = runCmd(dockerCli, ['run', '--runtime', 'berth', '--network', 'none', '--rm', '-i', image, 'cat'], { env, input: 'through stdin\n' });
    expect(piped.stdout).toBe('through stdin\n');
    expect(piped.status).toBe(0);
    expectNothingLeft();
  });

  it('gives the process a terminal with -t', () => {
    const r = dockerOnPty(['run', '--runtime', 'berth', '--network', 'none', '--rm', '-t', image, 'sh', '-c', 'tty; [ -t 1 ] && echo stdout-is-a-tty']);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('/dev/pts/0');
    expect(r.stdout).toContain('stdout-is-a-tty');
    expectNothingLeft();
  });

  it('execs into a running container, pauses, updates and stops it', async () => {
    const name = newName('exec');
    try {
      const started = run(['-d', '--name', name], ['sleep', '100']);
      expect(started.status, started.stderr).toBe(0);
      const id = started.stdout.trim();
      const state = JSON.parse(berth(['state', id]).stdout) as { status: string; pid: number };
      expect(state.status).toBe('running');
      expect(state.pid).toBe(Number(inspect(name, '{{.State.Pid}}')));

      const exec = docker(['exec', name, 'sh', '-c', 'echo from-exec; echo to-stderr >&2; exit 4']);
      expect(exec.stdout).toBe('from-exec\n');
      expect(exec.stderr).toBe('to-stderr\n');
      expect(exec.status).toBe(4);

      const ttyExec = dockerOnPty(['exec', '-t', name, 'tty']);
      expect(ttyExec.status, ttyExec.stdout).toBe(0);
      expect(ttyExec.stdout).toMatch(/\/dev\/pts\/\d+/);

      const missing = docker(['exec', name, 'no-such-command']);
      expect(missing.status).toBe(126);
      expect(missing.stdout + missing.stderr).toContain('exec: "no-such-command": executable file not found in $PATH');

      const top = docker(['top', name]);
      expect(top.status, top.stderr).toBe(0);
      expect(top.stdout).toContain('sleep 100');

      expect(docker(['pause', name]).status).toBe(0);
      expect(inspect(name, '{{.State.Status}}')).toBe('paused');
      expect((JSON.parse(berth(['state', id]).stdout) as { status: string }).status).toBe('paused');
      expect(docker(['unpause', name]).status).toBe(0);
      expect(inspect(name, '{{.State.Status}}')).toBe('running');

      // update sends the whole resources JSON on stdin (`update --resources -`)
      const upd = docker(['update', '-m', '128m', '--memory-swap', '256m', name]);
      expect(upd.status, upd.stderr).toBe(0);
      expect(docker(['exec', name, 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']).stdout).toBe(`${128 * 1024 * 1024}\n`);

      // sleep as pid 1 ignores SIGTERM: stop waits the 1 s timeout, then kills
      const t0 = Date.now();
      const stop = docker(['stop', '-t', '1', name]);
      const took = Date.now() - t0;
      expect(stop.status, stop.stderr).toBe(0);
      expect(took).toBeGreaterThanOrEqual(1000);
      expect(took).toBeLessThan(15_000);
      expect(inspect(name, '{{.State.ExitCode}}')).toBe('137');
      expect(docker(['rm', name]).status).toBe(0);
      await waitUntil(() => berth(['list', '-q']).stdout === '', 5000, 'berth-runc state to be deleted');
    } finally {
      docker(['rm', '-f', name]);
    }
  });

  it('stops a container that handles SIGTERM without waiting for the timeout', () => {
    const name = newName('term');
    try {
      expect(run(['-d', '--name', name], ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done']).status).toBe(0);
      const t0 = Date.now();
      expect(docker(['stop', '-t', '20', name]).status).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(inspect(name, '{{.State.ExitCode}}')).toBe('0');
      expect(docker(['restart', '-t', '1', name]).status).toBe(0);
      expect(inspect(name, '{{.State.Status}}')).toBe('running');
      expect(docker(['kill', name]).status).toBe(0);
      expect(inspect(name, '{{.State.ExitCode}}')).toBe('137');
    } finally {
      docker(['rm', '-f', name]);
    }
  });

  it('joins another container\'s pid, ipc and network namespaces, and the host\'s ipc namespace', () => {
    const name = newName('base');
    const nsList = ['sh', '-c', 'for n in pid ipc net; do readlink /proc/self/ns/$n; done'];
    try {
      expect(run(['-d', '--name', name, '--ipc', 'shareable'], ['sleep', '100']).status).toBe(0);
      const base = docker(['exec', name, ...nsList]);
      expect(base.stdout).toMatch(/^pid:\[\d+\]\nipc:\[\d+\]\nnet:\[\d+\]\n$/);
      const shared = ['--pid', `container:${name}`, '--ipc', `container:${name}`, '--network', `container:${name}`];
      const joined = docker(['run', '--runtime', 'berth', '--rm', ...shared, image, ...nsList]);
      expect(joined.stdout).toBe(base.stdout);
      // pid 1 of the shared pid namespace is the other container's init
      expect(docker(['run', '--runtime', 'berth', '--rm', ...shared, image, 'cat', '/proc/1/cmdline']).stdout).toBe('sleep\x00100\x00');

      // mqueue is mounted fresh in whichever ipc namespace the container is in
      const hostIpc = run(['--rm', '--ipc', 'host'], ['sh', '-c', 'readlink /proc/self/ns/ipc; grep -c " - mqueue " /proc/self/mountinfo']);
      expect(hostIpc.stdout).toBe(`${fs.readlinkSync('/proc/self/ns/ipc')}\n1\n`);
      expect(hostIpc.status, hostIpc.stderr).toBe(0);
    } finally {
      docker(['rm', '-f', name]);
    }
  });

  it('applies -m to the container memory cgroup', () => {
    const name = newName('mem');
    const r = run(['--rm', '--name', name, '-m', '64m'], ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']);
    expect(r.stdout).toBe('67108864\n');
    expect(r.status, r.stderr).toBe(0);
    expect(cgroupDirs(cgParent).some((d) => fs.existsSync(d))).toBe(true);
  });

  it('exits 127 with docker\'s error for a missing command and 126 for a non-executable', () => {
    const missing = run(['--rm'], ['no-such-command']);
    expect(missing.status).toBe(127);
    expect(missing.stderr).toContain('failed to create shim task: OCI runtime create failed');
    expect(missing.stderr).toContain('exec: "no-such-command": executable file not found in $PATH');

    const notExec = run(['--rm'], ['/etc/passwd']);
    expect(notExec.status).toBe(126);
    expect(notExec.stderr).toContain('permission denied');
    expect(docker(['ps', '-aq']).stdout).toBe('');
    expectNothingLeft();
  });
});
