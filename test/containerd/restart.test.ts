/**
 * issue #3, "Restart": kill -9 berth-containerd while containers run (one
 * writing a numbered line every 20 ms, sleeps, one exiting with code 7 while
 * the daemon is down), start it again on the same root/state/socket: every
 * container still runs, the exited one reports 7 (tasks ls, Tasks.Wait, tasks
 * delete), no output line is lost, and kill/exec/delete work. Then the same
 * once more with a newer containerd build (a copy of dist with another revision).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOciImage } from '../helpers/oci-image.js';
import { busyboxRootfs, repoRoot } from '../helpers/paths.js';
import { connect, createClient } from '../../packages/containerd/src/grpc/client.js';
import { Tasks } from '../../packages/containerd/src/gen/containerd/services/tasks/v1/tasks_pb.js';
import { ctr, startBerthContainerd, tempDir, type Running } from './daemons.js';
import { removeCgroupTree } from '../helpers/daemon.js';

const isRoot = process.getuid?.() === 0;
let dir: string;
let d: Running | undefined;
let upgradeDist: string;
let upgradeCommand: string;
const ns = `berth-restart-${process.pid}`;
const image = `docker.io/library/busybox:berth-restart-${process.pid}`;
const c = (...args: string[]) => ctr(d!.address, ['-n', ns, ...args], 60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const writer = `writer-${process.pid}`;
const outFile = () => path.join(dir, 'writer.out');
const bundle = (id: string) => path.join(dir, 'state', 'io.containerd.runtime.v2.task', ns, id);

function numbers(): number[] {
  const text = fs.existsSync(outFile()) ? fs.readFileSync(outFile(), 'utf8') : '';
  return text.split('\n').filter((l) => l !== '').map(Number);
}

function expectContiguous(ns_: number[]): void {
  expect(ns_.length).toBeGreaterThan(0);
  const firstGap = ns_.findIndex((n, i) => n !== i + 1);
  expect(firstGap, `line ${firstGap + 1} is ${ns_[firstGap]}`).toBe(-1);
}

/** Running (a zombie left to a reaper that is not ours counts as dead). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function taskStatus(id: string): string | undefined {
  const line = c('tasks', 'ls').stdout.split('\n').find((l) => l.split(/\s+/)[0] === id);
  return line?.split(/\s+/)[2];
}

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Tasks.Wait / Tasks.Delete through our own gRPC client (ctr 1.6 has no `tasks wait`, its `tasks delete` prints no status). */
async function tasksRpc(id: string, method: 'wait' | 'delete'): Promise<number> {
  const channel = connect(d!.address);
  try {
    const client = createClient(Tasks, channel, { namespace: ns });
    const r = method === 'wait'
      ? await client.wait({ containerId: id, execId: '' }, { deadline: 10_000 })
      : await client.delete({ containerId: id }, { deadline: 10_000 });
    return r.exitStatus;
  } finally {
    channel.close();
  }
}

beforeAll(async () => {
  if (!isRoot) return;
  dir = tempDir('restart');
  d = await startBerthContainerd(dir);
  const built = buildOciImage({ rootfs: busyboxRootfs, name: image, out: path.join(dir, 'busybox.tar'), cmd: ['sh'] });
  const r = c('images', 'import', built.file);
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
  // "A newer build": a copy of dist (same depth in the repo, so it finds
  // node_modules and bin/berth-shim the same way) with another revision.
  const dist = path.join(repoRoot, 'packages/containerd/dist');
  upgradeDist = path.join(repoRoot, 'packages/containerd', `.dist-restart-${process.pid}`);
  fs.cpSync(dist, upgradeDist, { recursive: true });
  const info = path.join(upgradeDist, 'gen/build-info.js');
  fs.writeFileSync(info, fs.readFileSync(info, 'utf8').replace(/revision = '[^']*'/, "revision = 'restart-test-upgrade'"));
  upgradeCommand = path.join(dir, 'berth-containerd-upgraded');
  fs.writeFileSync(upgradeCommand, `#!/bin/sh\nexec "${process.execPath}" "${upgradeDist}/main.js" "$@"\n`, { mode: 0o755 });
}, 120_000);

afterAll(async () => {
  if (!isRoot) return;
  if (d) {
    for (const id of c('tasks', 'ls', '-q').stdout.split('\n').filter(Boolean)) c('tasks', 'kill', '-s', 'KILL', id);
    for (const id of c('containers', 'ls', '-q').stdout.split('\n').filter(Boolean)) {
      c('tasks', 'delete', '-f', id);
      c('containers', 'rm', id);
    }
    await d.stop();
  }
  if (upgradeDist) fs.rmSync(upgradeDist, { recursive: true, force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  // ctr puts containers in /<namespace>/<id>; the runtime removes <id>, the namespace level is ours to remove.
  removeCgroupTree(`/${ns}`);
});

/** One round: start an exit-7 container and a sleeper, kill -9 the daemon, let it exit, restart, check. */
async function round(k: number, command?: string): Promise<void> {
  const exiter = `exit7-${k}-${process.pid}`;
  const sleeper = `sleep-${k}-${process.pid}`;
  expect(c('run', '-d', '--null-io', image, sleeper, 'sleep', '300').status).toBe(0);
  const script = 'while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 7';
  expect(c('run', '-d', '--null-io', image, exiter, 'sh', '-c', script).status).toBe(0);
  expect(taskStatus(exiter)).toBe('RUNNING');

  const spareFile = path.join(dir, 'state', 'berth-spare-shim');
  await waitFor('a spare shim', () => fs.existsSync(spareFile));
  const spareSocket = fs.readFileSync(spareFile, 'utf8').trim().replace(/^unix:\/\//, '');
  const before = numbers().length;
  const old = d!;
  process.kill(old.pid, 'SIGKILL');
  expect(await old.exited).toBe(137);
  d = undefined;
  // While the daemon is down: the exit-7 container exits, the writer writes.
  fs.writeFileSync(path.join(bundle(exiter), 'rootfs/tmp/go'), '');
  await sleep(1500);
  const during = numbers().length;
  expect(during - before).toBeGreaterThan(20);

  d = command ? await startBerthContainerd(dir, undefined, command) : await startBerthContainerd(dir);
  if (command) expect(c('version').stdout).toContain('restart-test-upgrade');
  // the spare the killed daemon left behind is shut down by the new one
  await waitFor('the orphaned spare shim to exit', () => !fs.existsSync(spareSocket));

  expect(taskStatus(writer)).toBe('RUNNING');
  expect(taskStatus(sleeper)).toBe('RUNNING');
  expect(taskStatus(exiter)).toBe('STOPPED');
  expect(await tasksRpc(exiter, 'wait')).toBe(7);
  await waitFor('more output after the restart', () => numbers().length > during + 10);
  expectContiguous(numbers());

  const exec = c('tasks', 'exec', '--exec-id', `e${k}`, sleeper, 'sh', '-c', 'echo exec-ok; exit 4');
  expect(exec.stdout).toBe('exec-ok\n');
  expect(exec.status).toBe(4);
  expect(await tasksRpc(exiter, 'delete')).toBe(7);
  expect(c('containers', 'rm', exiter).status).toBe(0);
  expect(c('tasks', 'kill', '-s', 'KILL', sleeper).status).toBe(0);
  await waitFor(`${sleeper} stopped`, () => taskStatus(sleeper) === 'STOPPED');
  expect(await tasksRpc(sleeper, 'wait')).toBe(137);
  expect(c('tasks', 'delete', sleeper).status).toBe(0);
  expect(c('containers', 'rm', sleeper).status).toBe(0);
}

describe.skipIf(!isRoot)('berth-containerd restart (kill -9)', () => {
  it('keeps containers running, learns exits and loses no output across a restart', async () => {
    const script = 'i=0; while true; do i=$((i+1)); echo $i; sleep 0.02; done';
    expect(c('run', '-d', '--log-uri', `file://${outFile()}`, image, writer, 'sh', '-c', script).status).toBe(0);
    await waitFor('the writer to write', () => numbers().length > 10);
    await round(1);
  }, 120_000);

  it('does the same after replacing the containerd build with a newer one', async () => {
    await round(2, upgradeCommand);
    expect(c('tasks', 'kill', '-s', 'KILL', writer).status).toBe(0);
    await waitFor(`${writer} stopped`, () => taskStatus(writer) === 'STOPPED');
    expect(c('tasks', 'delete', writer).status).toBe(0);
    expect(c('containers', 'rm', writer).status).toBe(0);
    expectContiguous(numbers());
  }, 120_000);

  it('delivers a /tasks/exit to a ctr events subscriber exactly once', async () => {
    const id = `ev-${process.pid}`;
    const events = spawn('ctr', ['--address', d!.address, 'events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    events.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await sleep(300); // subscribed
      expect(c('run', '--rm', '--null-io', image, id, 'sh', '-c', 'exit 3').status).toBe(3);
      await waitFor('/tasks/delete event', () => out.split('\n').some((l) => l.includes('/tasks/delete') && l.includes(id)));
      await sleep(300);
      const exits = out.split('\n').filter((l) => l.includes('/tasks/exit') && l.includes(id));
      expect(exits).toHaveLength(1);
      for (const topic of ['/tasks/create', '/tasks/start', '/tasks/delete']) {
        expect(out.split('\n').filter((l) => l.includes(topic) && l.includes(id))).toHaveLength(1);
      }
    } finally {
      events.kill('SIGTERM');
    }
  }, 60_000);

  it('cleans up a task whose shim died while the daemon was down', async () => {
    const id = `deadshim-${process.pid}`;
    expect(c('run', '-d', '--null-io', image, id, 'sleep', '300').status).toBe(0);
    const initPid = Number(fs.readFileSync(path.join(bundle(id), 'init.pid'), 'utf8'));
    const shimPid = Number(fs.readFileSync(path.join(bundle(id), 'shim.pid'), 'utf8'));
    const old = d!;
    process.kill(old.pid, 'SIGKILL');
    await old.exited;
    d = undefined;
    process.kill(shimPid, 'SIGKILL');
    await sleep(200);
    expect(alive(initPid)).toBe(true); // the shim's death does not take the container with it
    d = await startBerthContainerd(dir);
    // the restarted daemon ran `berth-shim delete`: the container is gone, the task too
    await waitFor('the container to be killed', () => !alive(initPid), 5000);
    expect(fs.existsSync(bundle(id))).toBe(false);
    expect(taskStatus(id)).toBeUndefined();
    expect(c('containers', 'rm', id).status).toBe(0);
  }, 60_000);
});
