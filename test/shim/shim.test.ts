/**
 * bin/berth-shim across process boundaries: started like berth-containerd
 * starts it, driven over its gRPC socket with the generated containerd.task.v2
 * client, with real namespaces, cgroups, fifos and mounts (root only).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Status } from '../../packages/containerd/src/gen/containerd/types/task/task_pb.js';
import { TaskExitSchema } from '../../packages/containerd/src/gen/containerd/events/task_pb.js';
import { MetricsSchema } from '../../packages/containerd/src/gen/containerd/cgroups/stats/v1/metrics_pb.js';
import { makeBundle, tempRoot, uniqueId, type Bundle } from '../helpers/bundle.js';
import { busyboxRootfs, repoRoot } from '../helpers/paths.js';
import { alive, cleanupBundle, connectShim, FakeEvents, FifoReader, jsonAny, killShim, mkfifo, runcOptions, startShim, waitFor, type Shim } from './harness.js';

const isRoot = process.getuid?.() === 0;
const haveRunc = (() => {
  try {
    execFileSync('runc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let tmp: string;
const shims: Shim[] = [];
const readers: FifoReader[] = [];

beforeAll(() => {
  tmp = tempRoot('shim');
});
afterEach(() => {
  for (const r of readers.splice(0)) r.close();
});
afterAll(() => {
  // Shims of tests that failed half-way, and their containers and mounts.
  for (const s of shims.splice(0)) killShim(s);
  if (!process.env.BERTH_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
});

interface Setup {
  b: Bundle;
  id: string;
  shim: Shim;
  stdout: string;
  stderr: string;
  stdin: string;
  out: FifoReader;
  err: FifoReader;
}

let socketCounter = 0;
async function setup(args: string[], opts: { address?: string; mutate?: Parameters<typeof makeBundle>[2]; readStdout?: boolean } = {}): Promise<Setup> {
  const b = makeBundle(tmp, args, opts.mutate);
  const id = uniqueId('shim');
  const stdout = mkfifo(path.join(b.dir, 'stdout.fifo'));
  const stderr = mkfifo(path.join(b.dir, 'stderr.fifo'));
  const stdin = mkfifo(path.join(b.dir, 'stdin.fifo'));
  const shim = await startShim({
    bundle: b.dir,
    id,
    runtimeRoot: path.join(tmp, 'runtime-root'),
    socket: path.join(tmp, `s${++socketCounter}.sock`),
    ...(opts.address ? { address: opts.address } : {}),
  });
  shims.push(shim);
  // A reader of stdout unless the test reads it itself (a stream reader that is closed loses what it had read).
  const out = new FifoReader(opts.readStdout === false ? '/dev/null' : stdout);
  const err = new FifoReader(stderr);
  readers.push(out, err);
  return { b, id, shim, stdout, stderr, stdin, out, err };
}

/** A gRPC client in another process, calling Wait and never returning (hand-encoded WaitRequest{id}). */
function rawWaitScript(address: string, id: string): string {
  return `
    import * as grpc from '@grpc/grpc-js';
    const c = new grpc.Client(${JSON.stringify(address)}, grpc.credentials.createInsecure());
    const id = Buffer.from(${JSON.stringify(id)});
    const md = new grpc.Metadata();
    md.set('containerd-namespace', 'test');
    c.makeUnaryRequest('/containerd.task.v2.Task/Wait', (b) => b, (b) => b, Buffer.concat([Buffer.from([0x0a, id.length]), id]), md, {}, () => {});
    setTimeout(() => process.stdout.write('waiting\\n'), 100);
  `;
}

/** A new client on a running shim's socket (containerd coming back). */
async function startClient(s: Setup): Promise<Shim> {
  const again = connectShim(s.shim.options, s.shim.address, s.shim.pid);
  shims.push(again);
  return again;
}

async function deleteAndShutdown(s: Setup): Promise<void> {
  await s.shim.client.delete({ id: s.id });
  await s.shim.client.shutdown({ id: s.id });
  await waitFor('the shim to exit', () => !alive(s.shim.pid));
}

describe.skipIf(!isRoot)('berth-shim', () => {
  it('runs a container through its life: create, start, state, pids, exec, kill, wait, delete, shutdown', async () => {
    const s = await setup(['sh', '-c', 'echo hello from init; echo to stderr >&2; exec sleep 300']);
    const { client } = s.shim;
    const created = await client.create({ id: s.id, bundle: s.b.dir, stdout: s.stdout, stderr: s.stderr });
    expect(created.pid).toBeGreaterThan(0);
    expect(Number(fs.readFileSync(path.join(s.b.dir, 'init.pid'), 'utf8'))).toBe(created.pid);
    expect((await client.state({ id: s.id })).status).toBe(Status.CREATED);
    expect(await client.connect({ id: s.id })).toMatchObject({ shimPid: s.shim.pid, taskPid: created.pid });

    const started = await client.start({ id: s.id });
    expect(started.pid).toBe(created.pid);
    await s.out.waitFor(/hello from init\n/);
    await s.err.waitFor(/to stderr\n/);
    const st = await client.state({ id: s.id });
    expect(st).toMatchObject({ id: s.id, bundle: s.b.dir, pid: created.pid, status: Status.RUNNING, stdout: s.stdout });

    // exec: its own stdout fifo, exit code 3
    const execOut = mkfifo(path.join(s.b.dir, 'exec-out.fifo'));
    const execReader = new FifoReader(execOut);
    readers.push(execReader);
    await client.exec({ id: s.id, execId: 'e1', stdout: execOut, spec: jsonAny('Process', { ...s.b.spec.process, args: ['sh', '-c', 'echo exec says hi; exit 3'] }) });
    expect((await client.state({ id: s.id, execId: 'e1' })).status).toBe(Status.CREATED);
    const execStarted = await client.start({ id: s.id, execId: 'e1' });
    expect(execStarted.pid).toBeGreaterThan(0);
    const execExit = await client.wait({ id: s.id, execId: 'e1' });
    expect(execExit.exitStatus).toBe(3);
    await execReader.waitFor(/exec says hi\n/);
    await execReader.ended;
    expect((await client.state({ id: s.id, execId: 'e1' })).status).toBe(Status.STOPPED);
    expect(await client.delete({ id: s.id, execId: 'e1' })).toMatchObject({ pid: execStarted.pid, exitStatus: 3 });
    await expect(client.state({ id: s.id, execId: 'e1' })).rejects.toMatchObject({ code: 'NotFound' });

    const pids = await client.pids({ id: s.id });
    expect(pids.processes.map((p) => p.pid)).toContain(created.pid);
    // Stats: cgroup v1 metrics, as `ctr tasks metrics` decodes them
    const { stats } = await client.stats({ id: s.id });
    expect(stats?.typeUrl).toBe('io.containerd.cgroups.v1.Metrics');
    const metrics = fromBinary(MetricsSchema, stats?.value ?? new Uint8Array());
    expect(metrics.pids?.current).toBeGreaterThanOrEqual(1n);
    expect(metrics.memory?.usage?.usage).toBeGreaterThan(0n);
    expect(metrics.cpu?.usage?.total).toBeGreaterThan(0n);

    // Delete of a running task is refused; Shutdown does nothing while the container exists.
    await expect(client.delete({ id: s.id })).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await client.shutdown({ id: s.id });
    expect(alive(s.shim.pid)).toBe(true);

    const waiting = client.wait({ id: s.id });
    await client.kill({ id: s.id, signal: 9 });
    const exit = await waiting;
    expect(exit.exitStatus).toBe(137);
    expect(exit.exitedAt).toBeDefined();
    await expect(client.kill({ id: s.id, signal: 9 })).rejects.toMatchObject({ code: 'NotFound' });
    await s.out.ended;
    const record = JSON.parse(fs.readFileSync(path.join(s.b.dir, 'exits', 'init.json'), 'utf8'));
    expect(record).toMatchObject({ id: s.id, execId: '', pid: created.pid, exitStatus: 137 });
    expect(new Date(record.exitedAt).getTime()).toBe(timestampDate(exit.exitedAt!).getTime());

    const del = await client.delete({ id: s.id });
    expect(del).toMatchObject({ pid: created.pid, exitStatus: 137 });
    await expect(client.state({ id: s.id })).rejects.toMatchObject({ code: 'NotFound' });
    await client.shutdown({ id: s.id });
    await waitFor('the shim to exit', () => !alive(s.shim.pid));
    expect(fs.existsSync(s.shim.address.replace('unix://', ''))).toBe(false);
    const log = fs.readFileSync(path.join(s.b.dir, 'shim.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.some((l) => l.msg === 'serving')).toBe(true);
  });

  it('records exit code 7 in the bundle before reporting it, and feeds stdin from its fifo', async () => {
    const s = await setup(['sh', '-c', 'while read line; do echo "got $line"; done; exit 7']);
    const { client } = s.shim;
    await client.create({ id: s.id, bundle: s.b.dir, stdin: s.stdin, stdout: s.stdout, stderr: s.stderr });
    await client.start({ id: s.id });
    const w = fs.openSync(s.stdin, 'w');
    fs.writeSync(w, 'one\ntwo\n');
    await s.out.waitFor(/got one\ngot two\n/);
    fs.closeSync(w); // end of stdin: the loop ends, the shell exits 7
    const exit = await client.wait({ id: s.id });
    expect(exit.exitStatus).toBe(7);
    const record = JSON.parse(fs.readFileSync(path.join(s.b.dir, 'exits', 'init.json'), 'utf8'));
    expect(record).toMatchObject({ id: s.id, execId: '', exitStatus: 7, waitStatus: 7 << 8 });
    expect(fs.readdirSync(path.join(s.b.dir, 'exits'))).toEqual(['init.json']);
    expect(await client.state({ id: s.id })).toMatchObject({ status: Status.STOPPED, exitStatus: 7 });
    await deleteAndShutdown(s);
  });

  it('loses no output while nobody reads the fifo for 2 s', async () => {
    const s = await setup(['sh', '-c', 'i=0; while [ $i -lt 100000 ]; do echo "line $i"; i=$((i+1)); done; exit 0'], { readStdout: false });
    const { client } = s.shim;
    await client.create({ id: s.id, bundle: s.b.dir, stdout: s.stdout, stderr: s.stderr });
    // A reader that reads some, every byte it read accounted for, and goes away
    await client.start({ id: s.id });
    const fd = fs.openSync(s.stdout, 'r');
    const chunk = Buffer.alloc(4096);
    let before = '';
    while (before.length < 100_000) before += chunk.toString('utf8', 0, fs.readSync(fd, chunk));
    fs.closeSync(fd); // the reader goes away (containerd restarting) ...
    await new Promise((r) => setTimeout(r, 2_000));
    expect(alive((await client.state({ id: s.id })).pid)).toBe(true); // ... the writer waits, it is not killed by SIGPIPE
    const again = new FifoReader(s.stdout); // ... and comes back
    readers.push(again);
    expect((await client.wait({ id: s.id })).exitStatus).toBe(0);
    await again.ended;
    const text = before + again.text;
    // The first reader may have stopped in the middle of a line: the second one continues it.
    const lines = text.split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(100000);
    lines.forEach((l, i) => {
      if (l !== `line ${i}`) throw new Error(`line ${i} is ${JSON.stringify(l)}`);
    });
    await deleteAndShutdown(s);
  });

  it('gives a terminal container its pty through the console socket and resizes it (ResizePty)', async () => {
    const s = await setup(['sh', '-c', 'while true; do stty size; sleep 0.1; done'], {
      mutate: (spec) => {
        if (spec.process) spec.process.terminal = true;
      },
    });
    const { client } = s.shim;
    await client.create({ id: s.id, bundle: s.b.dir, terminal: true, stdin: s.stdin, stdout: s.stdout });
    await client.start({ id: s.id });
    await client.resizePty({ id: s.id, width: 123, height: 45 });
    await s.out.waitFor(/45 123\r\n/);
    await client.resizePty({ id: s.id, width: 80, height: 24 });
    await s.out.waitFor(/24 80\r\n/);
    expect((await client.state({ id: s.id })).terminal).toBe(true);
    // a terminal exec too
    const execOut = mkfifo(path.join(s.b.dir, 'exec-tty.fifo'));
    const execReader = new FifoReader(execOut);
    readers.push(execReader);
    await client.exec({ id: s.id, execId: 'tty', terminal: true, stdout: execOut, spec: jsonAny('Process', { ...s.b.spec.process, terminal: true, args: ['sh', '-c', 'sleep 0.3; stty size; tty'] }) });
    await client.start({ id: s.id, execId: 'tty' });
    await client.resizePty({ id: s.id, execId: 'tty', width: 99, height: 11 });
    expect((await client.wait({ id: s.id, execId: 'tty' })).exitStatus).toBe(0);
    await execReader.waitFor(/11 99\r\n\/dev\/pts\/\d+\r\n/);
    await client.kill({ id: s.id, signal: 9 });
    await client.wait({ id: s.id });
    await deleteAndShutdown(s);
  });

  it('mounts the rootfs mounts (overlay) on <bundle>/rootfs and unmounts them on delete', async () => {
    const layers = fs.mkdtempSync(path.join(tmp, 'overlay-'));
    for (const d of ['upper', 'work']) fs.mkdirSync(path.join(layers, d));
    const s = await setup(['sh', '-c', 'echo overlay > /written-here; cat /written-here'], {
      mutate: (spec) => {
        if (spec.root) spec.root.readonly = false;
      },
    });
    fs.rmSync(s.b.rootfs, { recursive: true });
    const { client } = s.shim;
    await client.create({
      id: s.id,
      bundle: s.b.dir,
      stdout: s.stdout,
      stderr: s.stderr,
      rootfs: [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${busyboxRootfs}`, `upperdir=${layers}/upper`, `workdir=${layers}/work`] }],
    });
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${s.b.rootfs} `);
    await client.start({ id: s.id });
    expect((await client.wait({ id: s.id })).exitStatus).toBe(0);
    await s.out.waitFor(/overlay\n/);
    expect(fs.readFileSync(path.join(layers, 'upper', 'written-here'), 'utf8')).toBe('overlay\n');
    expect(fs.existsSync(path.join(busyboxRootfs, 'written-here'))).toBe(false);
    await deleteAndShutdown(s);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${s.b.rootfs} `);
  });

  it.skipIf(!haveRunc)('runs the container with a runc binary (binary_name: the real runc)', async () => {
    const s = await setup(['sh', '-c', 'echo from runc; exec sleep 300']);
    const { client } = s.shim;
    const runtimeRoot = path.join(tmp, 'runc-root');
    const created = await client.create({
      id: s.id,
      bundle: s.b.dir,
      stdout: s.stdout,
      stderr: s.stderr,
      options: runcOptions({ binaryName: 'runc', root: runtimeRoot }),
    });
    // runc's own state: the container exists under <root>/<namespace>
    expect(fs.existsSync(path.join(runtimeRoot, 'test', s.id, 'state.json'))).toBe(true);
    await client.start({ id: s.id });
    await s.out.waitFor(/from runc\n/);
    expect((await client.state({ id: s.id })).status).toBe(Status.RUNNING);
    expect((await client.pids({ id: s.id })).processes.map((p) => p.pid)).toContain(created.pid);
    // an exec through `runc exec --detach`: its pid is reparented to the shim, which reaps it
    await client.exec({ id: s.id, execId: 'x', spec: jsonAny('Process', { ...s.b.spec.process, args: ['sh', '-c', 'exit 4'] }) });
    await client.start({ id: s.id, execId: 'x' });
    expect((await client.wait({ id: s.id, execId: 'x' })).exitStatus).toBe(4);
    // a terminal exec: runc sends the pty master to the shim's --console-socket
    const ttyOut = mkfifo(path.join(s.b.dir, 'runc-tty.fifo'));
    const ttyReader = new FifoReader(ttyOut);
    readers.push(ttyReader);
    await client.exec({ id: s.id, execId: 't', terminal: true, stdout: ttyOut, spec: jsonAny('Process', { ...s.b.spec.process, terminal: true, args: ['sh', '-c', 'sleep 0.3; stty size; tty'] }) });
    await client.start({ id: s.id, execId: 't' });
    await client.resizePty({ id: s.id, execId: 't', width: 77, height: 22 });
    expect((await client.wait({ id: s.id, execId: 't' })).exitStatus).toBe(0);
    await ttyReader.waitFor(/22 77\r\n\/dev\/pts\/\d+\r\n/);
    await client.pause({ id: s.id });
    expect((await client.state({ id: s.id })).status).toBe(Status.PAUSED);
    await client.resume({ id: s.id });
    // sleep is the pid namespace's init: only SIGKILL ends it
    await client.kill({ id: s.id, signal: 9 });
    expect((await client.wait({ id: s.id })).exitStatus).toBe(137);
    await deleteAndShutdown(s);
    expect(fs.existsSync(path.join(runtimeRoot, 'test', s.id))).toBe(false);
  });

  it('publishes task events in order with sequence numbers, and retries them while containerd is down', async () => {
    const events = new FakeEvents(path.join(tmp, 'events.sock'));
    await events.start();
    try {
      const s = await setup(['sleep', '300'], { address: events.socket });
      const { client } = s.shim;
      await client.create({ id: s.id, bundle: s.b.dir, stdout: s.stdout, stderr: s.stderr });
      await client.start({ id: s.id });
      await client.pause({ id: s.id });
      await client.resume({ id: s.id });
      await waitFor('4 events', () => events.received.length >= 4);
      expect(events.topics()).toEqual(['/tasks/create', '/tasks/start', '/tasks/paused', '/tasks/resumed']);

      await events.stop(); // containerd goes away ...
      await client.exec({ id: s.id, execId: 'e', spec: jsonAny('Process', { ...s.b.spec.process, args: ['true'] }) });
      await client.start({ id: s.id, execId: 'e' });
      await client.wait({ id: s.id, execId: 'e' });
      await client.kill({ id: s.id, signal: 9 });
      await client.wait({ id: s.id });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(events.received.length).toBe(4);
      await events.start(); // ... and comes back: everything arrives, in order
      await waitFor('8 events', () => events.received.length >= 8, 15_000);
      expect(events.topics()).toEqual([
        '/tasks/create',
        '/tasks/start',
        '/tasks/paused',
        '/tasks/resumed',
        '/tasks/exec-added',
        '/tasks/exec-started',
        '/tasks/exit',
        '/tasks/exit',
      ]);
      expect(events.received.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(new Set(events.received.map((e) => e.namespace))).toEqual(new Set(['test']));
      const exits = events.received.filter((e) => e.topic === '/tasks/exit').map((e) => fromBinary(TaskExitSchema, e.value));
      expect(exits.map((e) => [e.id, e.exitStatus])).toEqual([
        ['e', 0],
        [s.id, 137],
      ]);
      expect(events.received[6]?.typeUrl).toBe('containerd.events.TaskExit');
      await deleteAndShutdown(s);
      expect(events.topics().at(-1)).toBe('/tasks/delete');
    } finally {
      await events.stop();
    }
  });

  it('answers bad requests with containerd-style errors', async () => {
    const s = await setup(['sleep', '300']);
    const { client } = s.shim;
    await expect(client.state({ id: s.id })).rejects.toMatchObject({ code: 'NotFound', message: 'container not created' });
    await expect(client.create({ id: 'other', bundle: s.b.dir })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await client.create({ id: s.id, bundle: s.b.dir, stdout: s.stdout, stderr: s.stderr });
    await expect(client.create({ id: s.id, bundle: s.b.dir })).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await expect(client.state({ id: 'nope' })).rejects.toMatchObject({ code: 'NotFound' });
    await expect(client.state({ id: s.id, execId: 'nope' })).rejects.toMatchObject({ code: 'NotFound', message: 'process does not exist nope' });
    await expect(client.pause({ id: s.id })).rejects.toMatchObject({ code: 'FailedPrecondition', message: 'cannot pause task in created state' });
    await expect(client.exec({ id: s.id, execId: 'x', spec: jsonAny('Process', { args: [] }) })).rejects.toMatchObject({ code: 'InvalidArgument' });
    await client.start({ id: s.id });
    const spec = jsonAny('Process', { ...s.b.spec.process, args: ['sleep', '300'] });
    await client.exec({ id: s.id, execId: 'x', spec });
    await expect(client.exec({ id: s.id, execId: 'x', spec })).rejects.toMatchObject({ code: 'AlreadyExists', message: 'id x' });
    await expect(client.kill({ id: s.id, execId: 'x', signal: 9 })).rejects.toMatchObject({ code: 'FailedPrecondition', message: 'process not created' });
    await expect(client.checkpoint({ id: s.id, path: '/tmp/x' })).rejects.toMatchObject({ code: 'NotImplemented' });
    await expect(client.start({ id: s.id })).rejects.toMatchObject({ code: 'FailedPrecondition', message: 'cannot start a running process' });
    await client.delete({ id: s.id, execId: 'x' }); // created, never started: can go
    await client.kill({ id: s.id, signal: 9 });
    await client.wait({ id: s.id });
    await deleteAndShutdown(s);
  });

  it('does not depend on its client: a client that goes away mid-Wait changes nothing', async () => {
    const s = await setup(['sleep', '300']);
    await s.shim.client.create({ id: s.id, bundle: s.b.dir, stdout: s.stdout, stderr: s.stderr });
    await s.shim.client.start({ id: s.id });
    // containerd dies (kill -9) with a Wait in flight: a separate client process, killed
    const waiter = spawn(process.execPath, ['--input-type=module', '-e', rawWaitScript(s.shim.address, s.id)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => waiter.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 100));
    waiter.kill('SIGKILL');
    await new Promise((r) => waiter.once('exit', r));
    s.shim.close();
    const again = await startClient(s);
    expect((await again.client.state({ id: s.id })).status).toBe(Status.RUNNING);
    const waiting = again.client.wait({ id: s.id });
    await again.client.kill({ id: s.id, signal: 9 });
    expect((await waiting).exitStatus).toBe(137);
    s.shim = again;
    await deleteAndShutdown(s);
  });

  it('serves as a spare shim: started without id or bundle, bound by Create', async () => {
    const b = makeBundle(tmp, ['sh', '-c', 'echo spare; exit 0']);
    const id = uniqueId('spare');
    const stdout = mkfifo(path.join(b.dir, 'stdout.fifo'));
    const shim = await startShim({ bundle: '', id: '', runtimeRoot: path.join(tmp, 'runtime-root'), socket: path.join(tmp, `s${++socketCounter}.sock`) });
    shims.push(shim);
    shim.options = { ...shim.options, id, bundle: b.dir };
    const out = new FifoReader(stdout);
    readers.push(out);
    await shim.client.create({ id, bundle: b.dir, stdout }, { namespace: 'spare-ns' });
    expect(fs.readFileSync(path.join(b.dir, 'address'), 'utf8')).toBe(shim.address);
    expect(Number(fs.readFileSync(path.join(b.dir, 'shim.pid'), 'utf8'))).toBe(shim.pid);
    await shim.client.start({ id });
    expect((await shim.client.wait({ id })).exitStatus).toBe(0);
    await out.waitFor(/spare\n/);
    expect(fs.readFileSync(path.join(b.dir, 'shim.log'), 'utf8')).toContain('"namespace":"spare-ns"');
    // the runtime state went to <runtime root>/<namespace of Create>
    expect(fs.existsSync(path.join(tmp, 'runtime-root', 'spare-ns', id))).toBe(true);
    await shim.client.delete({ id });
    await shim.client.shutdown({ id });
    await waitFor('the shim to exit', () => !alive(shim.pid));
  });

  it('cleans up after a dead shim with `berth-shim delete`', async () => {
    const s = await setup(['sleep', '300']);
    const { pid } = await s.shim.client.create({ id: s.id, bundle: s.b.dir, stdout: s.stdout, stderr: s.stderr });
    await s.shim.client.start({ id: s.id });
    process.kill(s.shim.pid, 'SIGKILL');
    await waitFor('the shim to die', () => !alive(s.shim.pid));
    expect(alive(pid)).toBe(true); // the container outlives its shim
    const out = JSON.parse(cleanupBundle(s.shim.options));
    expect(out).toMatchObject({ pid, exitStatus: 137 });
    await waitFor('the container to be gone', () => !alive(pid));
    expect(fs.existsSync(path.join(tmp, 'runtime-root', 'test', s.id))).toBe(false);
  });

  it('reports an OOM kill as /tasks/oom before the /tasks/exit it caused', async () => {
    const events = new FakeEvents(path.join(tmp, 'events-oom.sock'));
    await events.start();
    try {
      const s = await setup(['sh', '-c', 'x=0123456789; while true; do x=$x$x; done'], {
        address: events.socket,
        mutate: (spec) => {
          spec.linux = { ...spec.linux, resources: { ...spec.linux?.resources, memory: { limit: 16 << 20, swap: 16 << 20 } } };
        },
      });
      const { client } = s.shim;
      await client.create({ id: s.id, bundle: s.b.dir, stdout: s.stdout, stderr: s.stderr });
      await client.start({ id: s.id });
      expect((await client.wait({ id: s.id })).exitStatus).toBe(137);
      await waitFor('the exit event', () => events.topics().includes('/tasks/exit'));
      expect(events.topics()).toEqual(['/tasks/create', '/tasks/start', '/tasks/oom', '/tasks/exit']);
      await deleteAndShutdown(s);
    } finally {
      await events.stop();
    }
  });

  it('kills and reaps what init leaves behind when the container shares the host pid namespace', async () => {
    const s = await setup(['sh', '-c', 'sleep 300 & echo "orphan $!"; exec sleep 301'], {
      mutate: (spec) => {
        if (spec.linux?.namespaces) spec.linux.namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'pid');
      },
    });
    const { client } = s.shim;
    await client.create({ id: s.id, bundle: s.b.dir, stdout: s.stdout, stderr: s.stderr });
    await client.start({ id: s.id });
    const orphan = Number(/orphan (\d+)/.exec(await s.out.waitFor(/orphan \d+\n/))?.[1]);
    expect(alive(orphan)).toBe(true);
    await client.kill({ id: s.id, signal: 9 }); // init only
    expect((await client.wait({ id: s.id })).exitStatus).toBe(137);
    // the orphan was re-parented to the shim (a subreaper), killed with init, and reaped (no zombie)
    await waitFor('the orphan to be gone', () => !fs.existsSync(`/proc/${orphan}`));
    await deleteAndShutdown(s);
  });
});
