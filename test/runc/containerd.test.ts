/**
 * Proof that the real containerd 1.6 can run containers through berth-runc:
 * a private containerd (config, root, state and socket in a temp dir) with the
 * io.containerd.runc.v2 shim told to exec bin/berth-runc (`ctr run
 * --runc-binary`), driven by the real `ctr`. The shim calls the runtime the way
 * it calls runc: --root/--log/--log-format json, create with fifos for stdio and
 * --pid-file (--console-socket with -t), start, exec --process --detach,
 * ps --format json, pause, resume, kill [--all], delete [--force].
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRoot } from '../helpers/bundle.js';
import { bin, busyboxRootfs } from '../helpers/paths.js';
import { buildOciImage } from '../helpers/oci-image.js';
import {
  cgroupDirs,
  haveBinaries,
  removeCgroupTree,
  runCmd,
  runOnPty,
  startDaemon,
  trackHostDirs,
  unmountUnder,
  waitUntil,
  type CmdResult,
  type Daemon,
} from '../helpers/daemon.js';

const available = haveBinaries('containerd', 'ctr', 'containerd-shim-runc-v2', 'tar', 'script');

describe.skipIf(!available)('real containerd 1.6 running berth-runc', () => {
  const ns = `berth-test-${process.pid}`;
  const cgPrefix = `berth-ctr-${process.pid}`;
  const image = `docker.io/library/berth-busybox:${process.pid}`;
  const berthRunc = bin('berth-runc');
  let tmp: string;
  let sock: string;
  let runcRoot: string;
  let fifoDir: string;
  let daemon: Daemon | undefined;
  let forgetHostDirs: (() => void) | undefined;
  let seq = 0;

  const ctr = (args: string[], timeoutMs = 30_000): CmdResult =>
    runCmd('ctr', ['-a', sock, '-n', ns, ...args], { env: { ...process.env, CONTAINERD_SNAPSHOTTER: 'overlayfs' }, timeoutMs });
  /** ctr's part of a `ctr run` command line, berth-runc as the runtime binary. */
  const runArgs = (id: string, flags: string[], cmd: string[]): string[] => [
    'run', '--runc-binary', berthRunc, '--runc-root', runcRoot, '--fifo-dir', fifoDir,
    '--cgroup', `${cgPrefix}/${id}`, ...flags, image, id, ...cmd,
  ];
  const ctrRun = (id: string, flags: string[], cmd: string[]) => ctr(runArgs(id, flags, cmd));
  const newId = (tag: string) => `${tag}-${++seq}`;
  /** berth-runc pointed at the root the shim gives it (<runc-root>/<namespace>). */
  const berth = (args: string[]) => runCmd(berthRunc, ['--root', path.join(runcRoot, ns), ...args]);
  const tasks = (): Map<string, { pid: number; status: string }> => {
    const m = new Map<string, { pid: number; status: string }>();
    for (const line of ctr(['tasks', 'ls']).stdout.split('\n').slice(1)) {
      const [id, pid, status] = line.trim().split(/\s+/);
      if (id && pid && status) m.set(id, { pid: Number(pid), status });
    }
    return m;
  };
  /** Removes a container whatever state a failed assertion left it in. */
  const remove = (id: string) => {
    ctr(['tasks', 'kill', '-a', '-s', 'KILL', id]);
    ctr(['tasks', 'delete', '-f', id]);
    ctr(['containers', 'rm', id]);
  };
  const expectGone = (id: string) => {
    expect(berth(['list', '-q']).stdout.split('\n')).not.toContain(id);
    expect(fs.existsSync(path.join(runcRoot, ns, id))).toBe(false);
    for (const dir of cgroupDirs(`${cgPrefix}/${id}`)) expect(fs.existsSync(dir), dir).toBe(false);
  };

  beforeAll(async () => {
    tmp = tempRoot('containerd');
    // a container in a user namespace (host uid 100000) must reach its rootfs below here
    fs.chmodSync(tmp, 0o711);
    sock = path.join(tmp, 'containerd.sock');
    runcRoot = path.join(tmp, 'runc');
    fifoDir = path.join(tmp, 'fifo');
    const config = path.join(tmp, 'config.toml');
    fs.writeFileSync(
      config,
      [
        'version = 2',
        `root = ${JSON.stringify(path.join(tmp, 'root'))}`,
        `state = ${JSON.stringify(path.join(tmp, 'state'))}`,
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = ${JSON.stringify(sock)}`,
        '[ttrpc]',
        `  address = ${JSON.stringify(`${sock}.ttrpc`)}`,
        '[debug]',
        '  address = ""',
        '[metrics]',
        '  address = ""',
        // the opt plugin would create /opt/containerd on the host
        '[plugins."io.containerd.internal.v1.opt"]',
        `  path = ${JSON.stringify(path.join(tmp, 'opt'))}`,
        '',
      ].join('\n'),
    );
    // The shim runs "runc" from PATH unless told otherwise; make that berth-runc
    // too, for the one case ctr drops --runc-binary (see the user namespace test).
    const binDir = path.join(tmp, 'bin');
    fs.mkdirSync(binDir);
    fs.symlinkSync(berthRunc, path.join(binDir, 'runc'));
    const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` };
    // Fixed paths no option moves: the shim's socket dir /run/containerd/s (shared,
    // left alone) and the default runc root the user namespace test ends up in.
    forgetHostDirs = trackHostDirs(['/run/containerd/runc']);
    daemon = startDaemon('containerd', ['--config', config], path.join(tmp, 'containerd.log'), env);
    const d = daemon;
    await waitUntil(() => fs.existsSync(sock) && ctr(['version']).status === 0, 20_000, `containerd to serve ${sock}`).catch((err: Error) => {
      throw new Error(`${err.message}\n${d.log().slice(-3000)}`);
    });
    const built = buildOciImage({ rootfs: busyboxRootfs, name: image, out: path.join(tmp, 'busybox-oci.tar'), cmd: ['sh'] });
    const imp = ctr(['images', 'import', '--all-platforms', built.file], 60_000);
    expect(imp.status, imp.stderr).toBe(0);
    expect(ctr(['images', 'ls', '-q']).stdout.split('\n')).toContain(image);
  });

  afterAll(async () => {
    if (daemon) {
      for (const id of ctr(['containers', 'ls', '-q']).stdout.split('\n').filter(Boolean)) remove(id);
      ctr(['images', 'rm', image]);
      await daemon.stop();
    }
    if (tmp) {
      // containerd unmounts task rootfs on delete; a crashed test may not have got there
      unmountUnder(tmp);
      removeCgroupTree(cgPrefix);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    forgetHostDirs?.();
  });

  it('runs a container in the foreground with its output and exit status', () => {
    const hi = ctrRun(newId('echo'), ['--rm'], ['echo', 'hi']);
    expect(hi.stderr).toBe('');
    expect(hi.stdout).toBe('hi\n');
    expect(hi.status).toBe(0);

    const id = newId('exit');
    const r = ctrRun(id, ['--rm'], ['sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\n');
    expect(r.status).toBe(7);
    expectGone(id);
  });

  it('gives the process a terminal with -t, and none without', () => {
    const id = newId('tty');
    const r = runOnPty(['ctr', '-a', sock, '-n', ns, ...runArgs(id, ['--rm', '-t'], ['sh', '-c', 'tty; [ -t 1 ] && echo stdout-is-a-tty'])]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('/dev/pts/0');
    expect(r.stdout).toContain('stdout-is-a-tty');
    expectGone(id);

    const plain = ctrRun(newId('notty'), ['--rm'], ['tty']);
    expect(plain.stdout).toBe('not a tty\n');
    expect(plain.status).toBe(1);
  });

  it('runs detached: exec, ps, pause/resume, kill and delete', async () => {
    const id = newId('detached');
    try {
      const run = ctrRun(id, ['-d'], ['sleep', '100']);
      expect(run.status, run.stderr).toBe(0);
      const task = tasks().get(id);
      expect(task?.status).toBe('RUNNING');
      // berth-runc's own state file in the shim's runc root: it was berth-runc that ran it
      const state = JSON.parse(berth(['state', id]).stdout) as { status: string; pid: number; bundle: string };
      expect(state.status).toBe('running');
      expect(state.pid).toBe(task?.pid);
      expect(state.bundle).toContain(path.join(tmp, 'state'));

      const exec = ctr(['tasks', 'exec', '--fifo-dir', fifoDir, '--exec-id', 'e1', id, 'sh', '-c', 'echo from-exec; echo to-stderr >&2; exit 5']);
      expect(exec.stdout).toBe('from-exec\n');
      expect(exec.stderr).toContain('to-stderr\n');
      expect(exec.status).toBe(5);

      const ttyExec = runOnPty(['ctr', '-a', sock, '-n', ns, 'tasks', 'exec', '--fifo-dir', fifoDir, '-t', '--exec-id', 'e2', id, 'tty']);
      expect(ttyExec.status, ttyExec.stdout).toBe(0);
      expect(ttyExec.stdout).toMatch(/\/dev\/pts\/\d+/);

      expect(ctr(['tasks', 'exec', '--fifo-dir', fifoDir, '-d', '--exec-id', 'e3', id, 'sleep', '100']).status).toBe(0);
      const ps = ctr(['tasks', 'ps', id]);
      expect(ps.status, ps.stderr).toBe(0);
      const rows = ps.stdout.trim().split('\n').slice(1);
      expect(rows).toHaveLength(2);
      expect(rows.some((r) => r.startsWith(`${task?.pid} `))).toBe(true);
      expect(rows.some((r) => r.includes('ExecID:e3'))).toBe(true);

      expect(ctr(['tasks', 'pause', id]).status).toBe(0);
      expect(tasks().get(id)?.status).toBe('PAUSED');
      expect((JSON.parse(berth(['state', id]).stdout) as { status: string }).status).toBe('paused');
      expect(ctr(['tasks', 'resume', id]).status).toBe(0);
      expect(tasks().get(id)?.status).toBe('RUNNING');
      expect((JSON.parse(berth(['state', id]).stdout) as { status: string }).status).toBe('running');

      expect(ctr(['tasks', 'kill', '-s', 'KILL', id]).status).toBe(0);
      await waitUntil(() => tasks().get(id)?.status === 'STOPPED', 10_000, 'the task to stop');
      const del = ctr(['tasks', 'delete', id]);
      expect(del.status, del.stderr).toBe(0);
      expect(del.stderr).toContain('exit code 137');
      expect(ctr(['containers', 'rm', id]).status).toBe(0);
      expectGone(id);
      expect(berth(['list', '-q']).stdout).toBe('');
    } finally {
      remove(id);
    }
  });

  it('delivers SIGTERM to a process that handles it, and kill --all to every process', async () => {
    const id = newId('term');
    const all = newId('killall');
    try {
      expect(ctrRun(id, ['-d'], ['sh', '-c', 'trap "exit 42" TERM; while :; do sleep 0.1; done']).status).toBe(0);
      expect(ctr(['tasks', 'kill', id]).status).toBe(0);
      await waitUntil(() => tasks().get(id)?.status === 'STOPPED', 10_000, 'the task to stop on SIGTERM');
      const del = ctr(['tasks', 'delete', id]);
      expect(del.stderr).toContain('exit code 42');
      expect(ctr(['containers', 'rm', id]).status).toBe(0);
      expectGone(id);

      expect(ctrRun(all, ['-d'], ['sleep', '100']).status).toBe(0);
      expect(ctr(['tasks', 'exec', '--fifo-dir', fifoDir, '-d', '--exec-id', 'bg', all, 'sleep', '100']).status).toBe(0);
      // sleep as pid 1 has no handler: TERM to init alone would be ignored
      expect(ctr(['tasks', 'kill', '--all', '-s', 'KILL', all]).status).toBe(0);
      await waitUntil(() => tasks().get(all)?.status === 'STOPPED', 10_000, 'every process to die');
      expect(ctr(['tasks', 'delete', all]).status).toBe(0);
      expect(ctr(['containers', 'rm', all]).status).toBe(0);
      expectGone(all);
    } finally {
      remove(id);
      remove(all);
    }
  });

  it('applies --memory-limit to the container memory cgroup', () => {
    const id = newId('mem');
    const r = ctrRun(
      id,
      ['--rm', '--memory-limit', String(64 * 1024 * 1024), '--mount', 'type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:noexec:nodev'],
      ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'],
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('67108864\n');
    expect(r.status).toBe(0);
    expectGone(id);
  });

  it('runs a container in a user namespace with --uidmap/--gidmap', async () => {
    // With --uidmap, ctr 1.6 sends task options (the I/O owner) that replace the
    // container's runtime options, --runc-binary and --runc-root included: the
    // shim then runs "runc" from containerd's PATH (berth-runc, see beforeAll)
    // with its default root, /run/containerd/runc/<namespace>.
    const id = newId('userns');
    const defaultRoot = path.join('/run/containerd/runc', ns);
    try {
      const run = ctrRun(id, ['-d', '--uidmap', '0:100000:65536', '--gidmap', '0:100000:65536'], ['sleep', '100']);
      expect(run.status, run.stderr).toBe(0);
      const state = runCmd(berthRunc, ['--root', defaultRoot, 'state', id]);
      expect(state.status, state.stderr).toBe(0);
      expect((JSON.parse(state.stdout) as { status: string }).status).toBe('running');
      const r = ctr(['tasks', 'exec', '--fifo-dir', fifoDir, '--exec-id', 'ids', id, 'sh', '-c', 'id -u; cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /bin/busybox']);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual(['0', '0 100000 65536', '0 100000 65536', '0:0', '']);
      expect(r.status).toBe(0);
      const pid = tasks().get(id)?.pid ?? 0;
      expect(fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
      expect(ctr(['tasks', 'kill', '-s', 'KILL', id]).status).toBe(0);
      await waitUntil(() => tasks().get(id)?.status === 'STOPPED', 10_000, 'the task to stop');
      expect(ctr(['tasks', 'delete', id]).status).toBe(0);
      expect(runCmd(berthRunc, ['--root', defaultRoot, 'list', '-q']).stdout).toBe('');
    } finally {
      remove(id);
      fs.rmSync(defaultRoot, { recursive: true, force: true });
    }
  });

  it('fails create with runc\'s message for a missing executable and leaves nothing behind', () => {
    const id = newId('missing');
    const r = ctrRun(id, ['--rm'], ['no-such-command']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('OCI runtime create failed');
    expect(r.stderr).toContain('exec: "no-such-command": executable file not found in $PATH');
    expect(ctr(['containers', 'ls', '-q']).stdout.split('\n')).not.toContain(id);
    expectGone(id);
  });
});
