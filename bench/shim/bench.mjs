#!/usr/bin/env node
// Shim cost per container (../../../shared/design.md, "Shim and restart model"):
// private memory (PSS, from /proc/<pid>/smaps_rollup) of an idle shim serving one
// running container, and `start` latency (until the address is printed), for
// berth-shim with several V8 flag sets and for containerd-shim-runc-v2 (started
// by a private real containerd 1.6 with `ctr run -d --rootfs`). Medians of N.
//
//   bench/shim/run.sh [N]        (root; needs containerd, ctr, containerd-shim-runc-v2)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (p) => path.join(root, 'packages/containerd/dist', p);
const { connect, createClient } = await import(dist('grpc/client.js'));
const { Task } = await import(dist('gen/containerd/runtime/v2/task/shim_pb.js'));

const N = Number(process.argv[2] ?? 5);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-shim-'));
const rootfs = path.join(root, 'images/busybox/rootfs');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** PSS and RSS in KiB, after the process settled (a GC has had time to run). */
function memory(pid) {
  const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { pss: kb('Pss'), anon: kb('Pss_Anon'), rss: kb('Rss') };
}

function bundle(name, args = ['sleep', '3000']) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  execFileSync('cp', ['-a', rootfs, path.join(dir, 'rootfs')]);
  execFileSync(path.join(root, 'bin/berth-runc'), ['spec'], { cwd: dir });
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  spec.process.terminal = false;
  spec.process.args = args;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

async function berthShim(variantEnv, i, args = ['sleep', '3000']) {
  const id = `bench-${process.pid}-${i}`;
  const dir = bundle(id, args);
  const env = { ...process.env, ...variantEnv };
  const t0 = process.hrtime.bigint();
  const address = execFileSync(path.join(root, 'bin/berth-shim'), ['-namespace', 'bench', '-id', id, '-bundle', dir, '-runtime-root', path.join(tmp, 'runc'), '-socket', path.join(tmp, `${id}.sock`), 'start'], { env, encoding: 'utf8' }).trim();
  const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const channel = connect(address);
  const client = createClient(Task, channel, { namespace: 'bench' });
  await client.create({ id, bundle: dir });
  await client.start({ id });
  const { shimPid } = await client.connect({ id });
  return { id, dir, client, channel, shimPid, startMs };
}

async function stopBerth(s) {
  await s.client.kill({ id: s.id, signal: 9 });
  await s.client.wait({ id: s.id });
  await s.client.delete({ id: s.id });
  await s.client.shutdown({ id: s.id });
  s.channel.close();
}

let variant = 0;
async function measureBerth(label, variantEnv) {
  const tag = ++variant;
  const shims = [];
  try {
    for (let i = 0; i < N; i++) shims.push(await berthShim(variantEnv, `${tag}-${i}`));
    await sleep(3000);
    const mem = shims.map((s) => memory(s.shimPid));
    return {
      label,
      pss: median(mem.map((m) => m.pss)),
      anon: median(mem.map((m) => m.anon)),
      rss: median(mem.map((m) => m.rss)),
      startMs: median(shims.map((s) => s.startMs)),
      copy: await copyRate(variantEnv, `${tag}-copy`),
    };
  } finally {
    for (const s of shims) await stopBerth(s).catch((err) => console.error(`cleanup ${s.id}: ${err.message}`));
  }
}

/** MiB/s of a container writing 256 MiB to stdout, through the shim, to a fifo reader (cat > /dev/null). */
async function copyRate(variantEnv, tag) {
  const id = `bench-${process.pid}-${tag}`;
  const dir = bundle(id, ['dd', 'if=/dev/zero', 'bs=65536', 'count=4096']);
  const fifo = path.join(dir, 'out.fifo');
  execFileSync('mkfifo', [fifo]);
  const cat = spawn('sh', ['-c', `cat ${fifo} > /dev/null`]);
  const catDone = new Promise((r) => cat.once('exit', r));
  const env = { ...process.env, ...variantEnv };
  const address = execFileSync(path.join(root, 'bin/berth-shim'), ['-namespace', 'bench', '-id', id, '-bundle', dir, '-runtime-root', path.join(tmp, 'runc'), '-socket', path.join(tmp, `${id}.sock`), 'start'], { env, encoding: 'utf8' }).trim();
  const channel = connect(address);
  const client = createClient(Task, channel, { namespace: 'bench' });
  try {
    await client.create({ id, bundle: dir, stdout: fifo });
    const t0 = process.hrtime.bigint();
    await client.start({ id });
    await client.wait({ id });
    await catDone;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    await client.delete({ id });
    await client.shutdown({ id });
    return 256 / s;
  } finally {
    channel.close();
  }
}

async function measureGoShim() {
  const have = (b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0;
  if (!['containerd', 'ctr', 'containerd-shim-runc-v2'].every(have)) return undefined;
  const dir = path.join(tmp, 'containerd');
  fs.mkdirSync(dir);
  const sock = path.join(dir, 'c.sock');
  fs.writeFileSync(path.join(dir, 'config.toml'), [
    'version = 2', `root = "${dir}/root"`, `state = "${dir}/state"`, 'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]', `  address = "${sock}"`, '[ttrpc]', `  address = "${sock}.ttrpc"`,
    '[plugins."io.containerd.internal.v1.opt"]', `  path = "${dir}/opt"`, '',
  ].join('\n'));
  const log = fs.openSync(path.join(dir, 'containerd.log'), 'a');
  const d = spawn('containerd', ['--config', path.join(dir, 'config.toml')], { stdio: ['ignore', log, log] });
  // containerd leaves the namespace's cgroup parent (/<namespace>) behind: a unique one, removed below
  const ns = `berth-bench-${process.pid}`;
  const ctr = (...args) => spawnSync('ctr', ['-a', sock, '-n', ns, ...args], { encoding: 'utf8' });
  try {
    for (let i = 0; i < 100 && ctr('version').status !== 0; i++) await sleep(100);
    const ids = [];
    for (let i = 0; i < N; i++) {
      const id = `gobench-${process.pid}-${i}`;
      const rf = path.join(dir, `rootfs-${i}`);
      execFileSync('cp', ['-a', rootfs, rf]);
      const r = ctr('run', '-d', '--runc-root', path.join(dir, 'runc'), '--rootfs', rf, id, '/bin/sleep', '3000');
      if (r.status !== 0) throw new Error(`ctr run: ${r.stderr}`);
      ids.push(id);
    }
    await sleep(3000);
    const pids = spawnSync('pgrep', ['-f', `containerd-shim-runc-v2 -namespace ${ns} `], { encoding: 'utf8' }).stdout.trim().split('\n').map(Number);
    const mem = pids.map(memory);
    for (const id of ids) {
      ctr('tasks', 'kill', '-s', 'KILL', id);
      for (let i = 0; i < 50 && ctr('tasks', 'delete', id).status !== 0; i++) await sleep(100);
      ctr('containers', 'rm', id);
    }
    return { label: 'containerd-shim-runc-v2 1.6', pss: median(mem.map((m) => m.pss)), anon: median(mem.map((m) => m.anon)), rss: median(mem.map((m) => m.rss)) };
  } finally {
    d.kill('SIGTERM');
    await new Promise((r) => d.once('exit', r));
    for (const c of fs.readdirSync('/sys/fs/cgroup')) {
      try {
        fs.rmdirSync(path.join('/sys/fs/cgroup', c, ns));
      } catch {
        // not made in this hierarchy
      }
    }
  }
}

/** The floor: an idle `node` doing nothing (no shim code at all). */
async function measureNode() {
  const procs = Array.from({ length: N }, () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']));
  try {
    await sleep(3000);
    const mem = procs.map((p) => memory(p.pid));
    return { label: 'idle `node -e` (Node\'s floor, for reference)', pss: median(mem.map((m) => m.pss)), anon: median(mem.map((m) => m.anon)), rss: median(mem.map((m) => m.rss)) };
  } finally {
    for (const p of procs) p.kill('SIGKILL');
  }
}

try {
  const nodeDefaults = { BERTH_SHIM_NODE_FLAGS: '', UV_THREADPOOL_SIZE: '4', MALLOC_ARENA_MAX: '16' };
  const rows = [];
  rows.push(await measureBerth('berth-shim (its default flags)', {}));
  rows.push(await measureBerth('berth-shim, Node defaults', nodeDefaults));
  rows.push(await measureBerth('berth-shim, default flags + --jitless', { BERTH_SHIM_NODE_FLAGS: '--max-semi-space-size=1 --max-old-space-size=32 --single-threaded --jitless' }));
  rows.push(await measureNode());
  const go = await measureGoShim();
  if (go) rows.push(go);
  const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;
  console.log(`\n${N} shims each, one running busybox sleep per shim, medians; copy = one container writing 256 MiB to a fifo\n`);
  console.log('| shim | PSS | private (Pss_Anon) | RSS | `start` until serving | stdout copy |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const start = r.startMs === undefined ? '-' : `${r.startMs.toFixed(0)} ms`;
    const copy = r.copy === undefined ? '-' : `${r.copy.toFixed(0)} MiB/s`;
    console.log(`| ${r.label} | ${mib(r.pss)} | ${mib(r.anon)} | ${mib(r.rss)} | ${start} | ${copy} |`);
  }
} finally {
  try {
    execFileSync('sh', ['-c', `grep -o ' ${tmp}[^ ]*' /proc/self/mountinfo | xargs -r -n1 umount -l`]);
  } catch {
    // nothing mounted
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
