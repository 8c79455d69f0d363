/**
 * The same container scenario against berthd and a private real dockerd 20.10,
 * both driven by the real docker CLI 28 (it negotiates API 1.41 with 20.10):
 * `docker inspect` fields after create/run with many flags, `run`'s output and
 * exit codes, `ps -a` columns, logs, exec exit codes, wait, kill -s, restart
 * policies and what the container sees. Outputs are compared with container
 * ids and times masked.
 *
 * Differences that are genuinely version-related (20.10 vs 28) are named where
 * they are allowed, never hidden:
 *  - daemon error texts: 20.10 says "failed to create shim task: OCI runtime
 *    create failed: runc create failed: ...: unknown", docker 28 prefixes
 *    "failed to create task for container: "; we compare the runtime's own
 *    part (`exec: "x": executable file not found in $PATH`).
 *  - `docker exec` of a missing binary: 20.10 exits 126 (the daemon overwrote
 *    the exit code of every failed exec start, moby#45795); berthd exits 127.
 * Real differences found are it.todo below, with the exact field.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinaries, type CmdResult } from '../helpers/daemon.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { loadBusybox, startRealDockerd, type RealDockerd } from '../helpers/real-dockerd.js';
import { dockerCli, startBerthd, type Berthd } from './berthd.js';

const available = process.getuid?.() === 0 && haveBinaries(dockerCli, 'dockerd', 'containerd') && fs.existsSync(bin('berthd')) && fs.existsSync(busyboxRootfs);

type Docker = (...args: string[]) => CmdResult;

/** The parts of `docker inspect`'s container object compared here. */
interface Inspected {
  Config: Record<string, unknown>;
  HostConfig: Record<string, unknown>;
  State: Record<string, unknown>;
  Path: string;
  Args: string[];
  Name: string;
  RestartCount: number;
}

/** Container ids (full and short) and relative times made comparable. */
function mask(text: string): string {
  return text
    .replace(/\b[0-9a-f]{64}\b/g, '<id>')
    .replace(/\b[0-9a-f]{12}\b/g, '<id12>')
    .replace(/(About a|Less than a|\d+) (second|minute|hour)s?/g, 'N $2s');
}

/** The runtime's own words in a daemon error (see the header). */
const runtimeReason = (stderr: string) => /exec: "[^"]*": [^:\r\n]+/.exec(stderr)?.[0] ?? stderr;

/**
 * An exec's status, its output without the daemon's start error, and the
 * runtime's words from that error wherever it came (see the todo on streams).
 */
const execResult = (r: CmdResult) => ({
  status: r.status,
  stdout: r.stdout.replace(/^OCI runtime exec failed: .*\r?\n/m, ''),
  reason: /OCI runtime exec failed/.test(r.stdout + r.stderr) ? runtimeReason(r.stdout + r.stderr) : '',
});

/** A synchronous sleep: the scenarios run the CLI synchronously, once per daemon. */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

describe.skipIf(!available)('containers on berthd and the real dockerd 20.10, same docker CLI', () => {
  let berthd: Berthd;
  let real: RealDockerd;
  const daemons: Array<{ label: string; docker: Docker }> = [];
  /** Runs `f` with each daemon's docker: [berthd's answer, dockerd's answer]. */
  const both = <T>(f: (docker: Docker) => T): [T, T] => [f(daemons[0].docker), f(daemons[1].docker)];
  const ok = (docker: Docker, ...args: string[]) => {
    const r = docker(...args);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const inspect = (docker: Docker, ref: string) => (JSON.parse(ok(docker, 'inspect', ref)) as Inspected[])[0];

  beforeAll(async () => {
    berthd = await startBerthd();
    real = await startRealDockerd();
    for (const d of [berthd, real]) loadBusybox(d, 'busybox:latest');
    daemons.push({ label: 'berthd', docker: (...a) => berthd.docker(a, 60_000) }, { label: 'dockerd 20.10', docker: (...a) => real.docker(a, 60_000) });
  }, 180_000);

  afterAll(async () => {
    await berthd?.stop();
    await real?.stop();
  }, 180_000);

  it('stores the create flags alike in inspect (Config, HostConfig, State, Path, Args, Name)', () => {
    const [ours, theirs] = both((docker) => {
      ok(docker, 'create', '--name', 'full', '-e', 'FOO=bar', '-e', 'EMPTY=', '-w', '/tmp', '-u', '65534:65534', '-h', 'myhost',
        '--label', 'a=b', '--label', 'c=', '--restart', 'on-failure:3', '-m', '64m', '--read-only', '--tmpfs', '/run:size=1m',
        '--tmpfs', '/scratch', '--cap-drop', 'NET_RAW', '--cap-drop', 'chown', '--stop-signal', 'SIGUSR1',
        '--entrypoint', '/bin/sh', '--network', 'none', 'busybox', '-c', 'echo hi');
      // the docker CLI 28 itself sends -e values in varying order (seen on the
      // wire: it goes through a map), so Env is compared as a set
      const pick = (c: Inspected) => ({
        Env: [...(c.Config.Env as string[])].sort(),
        Config: Object.fromEntries(['Cmd', 'Entrypoint', 'WorkingDir', 'User', 'Hostname', 'Labels', 'StopSignal', 'Tty', 'OpenStdin'].map((k) => [k, c.Config[k]])),
        HostConfig: Object.fromEntries(['Memory', 'RestartPolicy', 'ReadonlyRootfs', 'CapDrop', 'NetworkMode', 'Tmpfs'].map((k) => [k, c.HostConfig[k]])),
        State: Object.fromEntries(['Status', 'ExitCode', 'Running', 'OOMKilled'].map((k) => [k, c.State[k]])),
        Path: c.Path, Args: c.Args, Name: c.Name,
      });
      const created = pick(inspect(docker, 'full'));
      const attached = docker('start', '-a', 'full');
      const exited = pick(inspect(docker, 'full'));
      return { created, attached: { ...attached }, exited };
    });
    expect(ours).toEqual(theirs);
    expect(theirs.exited.State).toEqual({ Status: 'exited', ExitCode: 0, Running: false, OOMKilled: false });
  });

  it('runs commands with the same output and exit codes (3, 127, 126)', () => {
    const [ours, theirs] = both((docker) => [
      docker('run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3'),
      docker('run', '--rm', '--network', 'none', 'busybox', 'no-such-binary'),
      docker('run', '--rm', '--network', 'none', 'busybox', '/etc/passwd'),
    ].map((r) => ({ status: r.status, stdout: r.stdout, reason: runtimeReason(r.stderr) })));
    expect(ours).toEqual(theirs);
    expect(theirs.map((r) => r.status)).toEqual([3, 127, 126]);
  });

  it('gives the container the same view: id, capabilities, hostname, cwd, env', () => {
    const [ours, theirs] = both((docker) => {
      const seen = ok(docker, 'run', '--rm', '--network', 'none', '-e', 'FOO=bar', '-w', '/tmp', '-u', '65534', '-h', 'seenhost',
        '--cap-drop', 'NET_RAW', 'busybox', 'sh', '-c', 'id; grep Cap /proc/self/status; hostname; pwd; env | sort | grep -v ^HOSTNAME=');
      const root = ok(docker, 'run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'id; grep Cap /proc/self/status; pwd; env | sort | grep -v ^HOSTNAME=');
      // HOME from the user's passwd entry (/nonexistent for 65534, /root for root), as runc sets it
      return [seen, root];
    });
    expect(ours).toEqual(theirs);
  });

  it('lists containers alike in ps -a (ids and times masked)', () => {
    const [ours, theirs] = both((docker) => {
      ok(docker, 'run', '-d', '--name', 'sleeper', '--network', 'none', '-l', 'role=sleeper', 'busybox', 'sleep', '300');
      // --tmpfs is no mount point in .Mounts
      ok(docker, 'create', '--name', 'fresh', '--network', 'none', '--tmpfs', '/scratch', 'busybox', 'true');
      // an argument with a space is quoted in COMMAND
      expect(docker('run', '--name', 'done', '--network', 'none', 'busybox', 'sh', '-c', 'echo a; exit 1').status).toBe(1);
      return mask(ok(docker, 'ps', '-a', '--filter', 'name=sleeper', '--filter', 'name=fresh', '--filter', 'name=done', '--format',
        '{{.ID}}|{{.Image}}|{{.Command}}|{{.Status}}|{{.Ports}}|{{.Names}}|{{.Labels}}|{{.State}}|{{.Mounts}}|{{.Networks}}'));
    });
    expect(ours).toEqual(theirs);
    expect(theirs.split('\n').filter(Boolean)).toHaveLength(3);
  });
  it('computes SizeRw, SizeRootFs and image Size as dockerd does', () => {
    // dockerd sums the lstat sizes of everything but directories (moby's
    // pkg/directory.Size over each layer): busybox's image Size is its
    // unpacked files, a container that changed nothing has SizeRw 0
    const [ours, theirs] = both((docker) => {
      ok(docker, 'create', '--name', 'sz-fresh', '--network', 'none', 'busybox', 'true');
      ok(docker, 'run', '--name', 'sz-ran', '--network', 'none', 'busybox', 'true');
      ok(docker, 'run', '--name', 'sz-wrote', '--network', 'none', 'busybox', 'sh', '-c',
        'echo hello > /hello.txt; mkdir -p /a/b; head -c 5000 /bin/busybox > /a/b/part; ln /a/b/part /a/b/link; ln -s /hello.txt /sym; rm /bin/ls');
      const image = ok(docker, 'image', 'inspect', '--format', '{{.Size}}', 'busybox').trim();
      const listed = ok(docker, 'images', '--format', '{{.Repository}} {{.Size}}', 'busybox').trim();
      const sized = ['sz-fresh', 'sz-ran', 'sz-wrote'].map((n) => ok(docker, 'inspect', '--size', '--format', '{{.SizeRw}} {{.SizeRootFs}}', n).trim());
      const ps = ok(docker, 'ps', '-a', '-s', '--filter', 'name=sz-', '--format', '{{.Names}} {{.Size}}').trim().split('\n').sort();
      return { image, listed, sized, ps };
    });
    expect(ours).toEqual(theirs);
    const image = Number(theirs.image);
    // hello.txt (6) + part (5000, its hard link once) + the symlink's target length (10); the whiteout adds nothing
    expect(theirs.sized).toEqual([`0 ${image}`, `0 ${image}`, `5016 ${image + 5016}`]);
  });

  it('keeps logs, exec exit codes, wait and kill -s alike', () => {
    const [ours, theirs] = both((docker) => {
      ok(docker, 'run', '-d', '--name', 'bg', '--network', 'none', 'busybox', 'sh', '-c',
        'echo one; echo two >&2; trap "echo usr1" USR1; trap "echo term; exit 9" TERM; while true; do sleep 0.1; done');
      const execs = [
        docker('exec', 'bg', 'sh', '-c', 'echo in; exit 5'),
        docker('exec', 'bg', '/etc/passwd'),
        docker('exec', '-u', '65534', '-w', '/tmp', '-e', 'X=1', 'bg', 'sh', '-c', 'id; pwd; echo $X'),
      ].map(execResult);
      const missingRaw = docker('exec', 'bg', 'no-such-binary');
      const missing = execResult(missingRaw);
      // dockerd writes the start failure into the exec's stdout stream
      const notExec = docker('exec', 'bg', '/etc/passwd');
      ok(docker, 'kill', '-s', 'USR1', 'bg');
      for (let i = 0; i < 50 && !docker('logs', 'bg').stdout.includes('usr1'); i++) pause(100);
      const badSignal = docker('kill', '-s', 'NOSUCH', 'bg');
      ok(docker, 'kill', '-s', 'TERM', 'bg');
      const waited = ok(docker, 'wait', 'bg');
      const logs = docker('logs', 'bg');
      const state = inspect(docker, 'bg').State;
      const execStopped = docker('exec', 'bg', 'true');
      const killStopped = docker('kill', 'bg');
      ok(docker, 'run', '-d', '--name', 'killme', '--network', 'none', 'busybox', 'sleep', '300');
      ok(docker, 'kill', '-s', 'KILL', 'killme');
      return {
        execs, missing: { stdout: missing.stdout, reason: missing.reason },
        notExecStreams: { stdout: notExec.stdout.replace(/exec: .*: unknown/, 'exec: <reason>: unknown'), stderr: notExec.stderr },
        badSignal: { status: badSignal.status, stderr: badSignal.stderr },
        waited, logs: { stdout: logs.stdout, stderr: logs.stderr },
        state: { Status: state.Status, ExitCode: state.ExitCode, Running: state.Running, OOMKilled: state.OOMKilled },
        execStopped: { status: execStopped.status, stderr: mask(execStopped.stderr) },
        killStopped: { status: killStopped.status, stderr: mask(killStopped.stderr) },
        killed: ok(docker, 'wait', 'killme'),
        killedState: inspect(docker, 'killme').State.ExitCode,
      };
    });
    expect(ours).toEqual(theirs);
    expect(theirs.execs.map((e) => e.status)).toEqual([5, 126, 0]);
    expect(theirs.waited).toBe('9\n');
    expect(theirs.killed).toBe('137\n');
  });

  it('applies restart on-failure:3, --stop-signal, --read-only with --tmpfs and -m alike', async () => {
    const [ours, theirs] = both((docker) => {
      const restarted = docker('run', '--name', 'rf', '--network', 'none', '--restart', 'on-failure:3', 'busybox', 'sh', '-c', 'echo try; exit 2');
      ok(docker, 'run', '-d', '--name', 'ss', '--network', 'none', '--stop-signal', 'SIGUSR1', 'busybox', 'sh', '-c',
        'trap "echo got-usr1; exit 4" USR1; while true; do sleep 0.1; done');
      pause(300);
      ok(docker, 'stop', 'ss');
      const ro = ok(docker, 'run', '--rm', '--network', 'none', '--read-only', '--tmpfs', '/run:size=1m', 'busybox', 'sh', '-c',
        'touch /x 2>&1; echo $?; touch /run/y && echo ok; grep " /run " /proc/mounts | cut -d" " -f2-4');
      const mem = ok(docker, 'run', '--rm', '--network', 'none', '-m', '64m', 'busybox', 'sh', '-c',
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max');
      return { restarted: { status: restarted.status, stdout: restarted.stdout }, ss: inspect(docker, 'ss').State.ExitCode, ssLogs: ok(docker, 'logs', 'ss'), ro, mem };
    });
    // the restarts (backoff 100, 200, 400 ms) happen after `run` returns
    await new Promise((r) => setTimeout(r, 4000));
    const after = both((docker) => {
      const c = inspect(docker, 'rf');
      return { RestartCount: c.RestartCount, State: { Status: c.State.Status, ExitCode: c.State.ExitCode, Restarting: c.State.Restarting }, logs: ok(docker, 'logs', 'rf') };
    });
    expect(ours).toEqual(theirs);
    expect(after[0]).toEqual(after[1]);
    expect(after[1]).toEqual({ RestartCount: 3, State: { Status: 'exited', ExitCode: 2, Restarting: false }, logs: 'try\n'.repeat(4) });
    expect(theirs.mem).toBe('67108864\n');
  }, 60_000);

  it('logs the same container events for run and rm', () => {
    const [ours, theirs] = both((docker) => {
      const since = String(Math.floor(Date.now() / 1000) - 1);
      ok(docker, 'run', '--name', 'evented', '--network', 'none', '-l', 'judge=events', 'busybox', 'true');
      ok(docker, 'rm', 'evented');
      // stop: a kill with the stop signal, then SIGKILL when the timeout runs out (sh as pid 1 ignores TERM)
      ok(docker, 'run', '-d', '--name', 'stopped', '--network', 'none', '-l', 'judge=events', 'busybox', 'sleep', '300');
      ok(docker, 'stop', '-t', '1', 'stopped');
      ok(docker, 'rm', 'stopped');
      const until = String(Math.floor(Date.now() / 1000) + 1);
      return ok(docker, 'events', '--since', since, '--until', until, '--filter', 'type=container', '--filter', 'label=judge=events', '--format', '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.signal}} {{.Actor.Attributes.judge}}');
    });
    expect(ours).toEqual(theirs);
  });
  it('stores dockerd\'s HostConfig defaults', () => {
    const [ours, theirs] = both((docker) => {
      ok(docker, 'create', '--name', 'plain', '--network', 'none', 'busybox', 'sleep', '300');
      const hc = inspect(docker, 'plain').HostConfig;
      ok(docker, 'rm', 'plain');
      return Object.fromEntries(['ShmSize', 'CgroupnsMode', 'Runtime', 'PidsLimit', 'MemorySwappiness', 'ReadonlyPaths', 'Init'].map((k) => [k, hc[k]]));
    });
    expect(ours).toEqual(theirs);
    expect(theirs.ShmSize).toBe(67108864);
  });
  // Defaults dockerd stores in HostConfig at create (inspect of a plain
  // `run -d --network none busybox sleep`), against berthd's:
  //   MaskedPaths   ["/proc/asound","/proc/acpi","/proc/kcore","/proc/keys",
  //                  "/proc/latency_stats","/proc/timer_list","/proc/timer_stats",
  //                  "/proc/sched_debug","/proc/scsi","/sys/firmware"]   berthd null
  //   ReadonlyPaths ["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]   berthd null
  //   ShmSize 67108864 (berthd 0), CgroupnsMode "host" on cgroup v1 (berthd ""),
  //   Runtime "runc" (berthd: no key), PidsLimit null (berthd 0),
  //   MemorySwappiness null (berthd -1); berthd adds "Init" (dockerd omits it
  //   when unset). Version-related, not bugs: KernelMemory/KernelMemoryTCP left
  //   in 1.42; NetworkSettings.Networks.*.GwPriority/DNSNames are newer.
  // (MaskedPaths differs by version: docker 28 adds /proc/interrupts and /sys/devices/virtual/powercap to 20.10's ten.)
});
