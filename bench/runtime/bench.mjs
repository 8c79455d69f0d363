// bench/runtime: median latency of `run` of a busybox `true` bundle, berth-runc
// against the real runc in the same run, and the in-process library call the
// shim will pay (create + start + wait + delete without starting a process).
// Usage: node bench/runtime/bench.mjs [runs]   (as root; make build rootfs first)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const runs = Number(process.argv[2] ?? 30);
const lib = await import(path.join(repo, 'packages/runc/dist/index.js'));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-runtime-'));
const bundle = path.join(tmp, 'bundle');
fs.mkdirSync(bundle);
spawnSync('cp', ['-a', path.join(repo, 'images/busybox/rootfs'), path.join(bundle, 'rootfs')]);
const spec = lib.defaultSpec();
spec.process.terminal = false;
spec.process.args = ['true'];
fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (ns) => Number(ns) / 1e6;

function timeCli(binary, root, tag) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const id = `bench-${tag}-${process.pid}-${i}`;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(binary, ['--root', root, 'run', '--bundle', bundle, id], { stdio: 'ignore' });
    const t1 = process.hrtime.bigint();
    if (r.status !== 0) throw new Error(`${binary} run exited ${r.status}`);
    times.push(ms(t1 - t0));
  }
  return times;
}

async function timeLibrary(root) {
  const ctx = lib.runtimeContext({ root });
  const times = [];
  for (let i = 0; i < runs; i++) {
    const id = `bench-lib-${process.pid}-${i}`;
    const t0 = process.hrtime.bigint();
    const { pid } = lib.createContainer(ctx, id, { bundle });
    lib.startContainer(ctx, id);
    await ctx.core.waitpidAsync(pid);
    lib.deleteContainer(ctx, id);
    times.push(ms(process.hrtime.bigint() - t0));
  }
  return times;
}

// Interleave warm-up so neither side pays for cold caches alone.
timeCli('runc', path.join(tmp, 'runc-root'), 'warm');
timeCli(path.join(repo, 'bin/berth-runc'), path.join(tmp, 'berth-root'), 'warm');
const runc = timeCli('runc', path.join(tmp, 'runc-root'), 'r');
const berth = timeCli(path.join(repo, 'bin/berth-runc'), path.join(tmp, 'berth-root'), 'b');
const library = await timeLibrary(path.join(tmp, 'lib-root'));
const nodeStart = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  nodeStart.push(ms(process.hrtime.bigint() - t0));
}
fs.rmSync(tmp, { recursive: true, force: true });

const result = {
  runs,
  node: process.version,
  runcVersion: spawnSync('runc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0],
  medianMs: {
    runc_run: +median(runc).toFixed(1),
    berth_runc_run: +median(berth).toFixed(1),
    berth_library_create_start_wait_delete: +median(library).toFixed(1),
    node_startup: +median(nodeStart).toFixed(1),
  },
};
result.ratio_berth_to_runc = +(result.medianMs.berth_runc_run / result.medianMs.runc_run).toFixed(2);
result.ratio_library_to_runc = +(result.medianMs.berth_library_create_start_wait_delete / result.medianMs.runc_run).toFixed(2);
console.log(JSON.stringify(result, null, 2));
