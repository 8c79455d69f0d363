#!/usr/bin/env node
// berth-containerd against the real containerd 1.6, in the same run, both driven
// by the real ctr (issue #3, "Proof required"; ../../../shared/design.md):
//   - median `ctr run --rm <busybox> id true` latency (N runs each, alternating);
//   - daemon RSS idle and with C running `sleep` containers, and per-container
//     shim memory (PSS/Pss_Anon from /proc/<pid>/smaps_rollup; the shim is the
//     parent of the container's init) for berth-shim vs containerd-shim-runc-v2;
//   - pull time of a 5-layer ~100 MB image (random data) from a local
//     docker-registry on 127.0.0.1, pushed with skopeo (skipped with --no-pull).
//
//   bench/containerd/run.sh [N=20] [C=20] [--no-pull]   (root; needs containerd,
//   ctr, runc, containerd-shim-runc-v2, docker-registry, skopeo)
//
// Everything lives in a temp dir; daemons and the registry are stopped by pid,
// containers deleted, the namespaces' cgroup parents and the temp dir removed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { log, median, processLauncher, sleep } from '../lib/dockerd.mjs';
import { freePort, ociArchive, randomLayer, rssKb } from '../lib/images.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const noPull = args.includes('--no-pull');
const [N = 20, C = 20] = args.filter((a) => !a.startsWith('--')).map(Number);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-ctrd-'));
const ns = `bench-${process.pid}`;
const image = `docker.io/library/busybox:bench-${process.pid}`;
const rootfs = path.join(root, 'images/busybox/rootfs');
const { children, launch } = processLauncher(tmp, { stopMs: 15_000 });

function ctrOn(address) {
  return (...a) => {
    const r = spawnSync('ctr', ['--address', address, '-n', ns, ...a], { encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
    if (r.error) throw r.error;
    return r;
  };
}

async function waitServing(address, d) {
  for (let i = 0; i < 300; i++) {
    if (fs.existsSync(address) && spawnSync('ctr', ['--address', address, 'version']).status === 0) return;
    await sleep(50);
  }
  throw new Error(`${d.name} did not serve ${address}: ${fs.readFileSync(path.join(tmp, `${d.name}.log`), 'utf8')}`);
}

async function startBerth() {
  const dir = path.join(tmp, 'berth');
  const address = path.join(dir, 'c.sock');
  fs.mkdirSync(dir);
  const d = launch('berth-containerd', path.join(root, 'bin/berth-containerd'), ['--root', `${dir}/root`, '--state', `${dir}/state`, '--address', address]);
  await waitServing(address, d);
  return { label: 'berth-containerd', d, address, ctr: ctrOn(address) };
}

async function startReal() {
  const dir = path.join(tmp, 'real');
  const address = path.join(dir, 'c.sock');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.toml'), [
    'version = 2', `root = "${dir}/root"`, `state = "${dir}/state"`, 'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]', `  address = "${address}"`, '[ttrpc]', `  address = "${address}.ttrpc"`,
    '[plugins."io.containerd.internal.v1.opt"]', `  path = "${dir}/opt"`, '',
  ].join('\n'));
  const d = launch('containerd', 'containerd', ['--config', path.join(dir, 'config.toml')]);
  await waitServing(address, d);
  const version = spawnSync('containerd', ['--version'], { encoding: 'utf8' }).stdout.split(' ')[2] ?? '';
  return { label: `containerd ${version}`, d, address, ctr: ctrOn(address) };
}

/** KiB figures of a process: PSS, Pss_Anon, RSS. */
function memory(pid) {
  const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { pss: kb('Pss'), anon: kb('Pss_Anon'), rss: kb('Rss') };
}
const ppid = (pid) => Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

async function cleanup(d) {
  for (const id of d.ctr('tasks', 'ls', '-q').stdout.split('\n').filter(Boolean)) d.ctr('tasks', 'kill', '-s', 'KILL', id);
  for (const id of d.ctr('containers', 'ls', '-q').stdout.split('\n').filter(Boolean)) {
    for (let i = 0; i < 50 && d.ctr('tasks', 'delete', id).stderr.includes('must be stopped'); i++) await sleep(100);
    d.ctr('containers', 'rm', id);
  }
}

const results = { date: new Date().toISOString().slice(0, 10), N, C };
const daemons = [];
try {
  const tar = path.join(tmp, 'busybox.tar');
  const layer = execFileSync('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '--sort=name', '-cf', '-', '.'], { maxBuffer: 1 << 28 });
  ociArchive(tmp, image, [layer], ['sh'], tar);
  daemons.push(await startBerth(), await startReal());
  for (const d of daemons) {
    const r = d.ctr('images', 'import', tar);
    if (r.status !== 0) throw new Error(`${d.label}: import: ${r.stderr}`);
  }
  // idle: served, image imported, nothing running, settled
  await sleep(3000);
  for (const d of daemons) d.idleRss = rssKb(d.d.pid);

  // run --rm latency, alternating daemons so that machine noise hits both alike
  for (const d of daemons) {
    d.runs = [];
    for (let i = 0; i < 2; i++) d.ctr('run', '--rm', image, `warm-${i}`, 'true');
  }
  for (let i = 0; i < N; i++) {
    for (const d of daemons) {
      const t0 = process.hrtime.bigint();
      const r = d.ctr('run', '--rm', image, `lat-${i}`, 'true');
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${d.label}: run: ${r.stderr}`);
      d.runs.push(ms);
    }
  }
  for (const d of daemons) log(`${d.label}: run --rm median ${median(d.runs).toFixed(0)} ms`);

  // C running containers
  for (const d of daemons) {
    const t0 = Date.now();
    for (let i = 0; i < C; i++) {
      const r = d.ctr('run', '-d', image, `sleep-${i}`, 'sleep', '3000');
      if (r.status !== 0) throw new Error(`${d.label}: run -d: ${r.stderr}`);
    }
    d.startAllMs = Date.now() - t0;
  }
  await sleep(5000);
  for (const d of daemons) {
    d.busyRss = rssKb(d.d.pid);
    const pids = [...d.ctr('tasks', 'ls').stdout.matchAll(/^sleep-\d+\s+(\d+)\s+RUNNING/gm)].map((m) => Number(m[1]));
    if (pids.length !== C) throw new Error(`${d.label}: ${pids.length} of ${C} running`);
    const mem = pids.map((p) => memory(ppid(p)));
    d.shim = { pss: median(mem.map((m) => m.pss)), anon: median(mem.map((m) => m.anon)), rss: median(mem.map((m) => m.rss)), name: fs.readFileSync(`/proc/${ppid(pids[0])}/cmdline`, 'utf8').split('\0').find((a) => /shim/.test(a)) };
    log(`${d.label}: ${C} containers started in ${d.startAllMs} ms; daemon RSS ${d.busyRss} kB; shim PSS ${d.shim.pss} kB (${d.shim.name})`);
  }
  for (const d of daemons) await cleanup(d);

  // pull of a 5-layer ~100 MB image from a local registry
  if (!noPull) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    fs.writeFileSync(path.join(tmp, 'registry.yml'), ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${tmp}/registry`, 'http:', `  addr: ${host}`, ''].join('\n'));
    launch('registry', 'docker-registry', ['serve', path.join(tmp, 'registry.yml')]);
    for (let i = 0; i < 300 && !(await fetch(`http://${host}/v2/`).then((r) => r.ok, () => false)); i++) await sleep(50);
    const big = path.join(tmp, 'big.tar');
    const ref = `${host}/bench/big:${process.pid}`;
    const bytes = ociArchive(tmp, ref, Array.from({ length: 5 }, (_, i) => randomLayer(tmp, i, 20 * 1024 * 1024)), ['sh'], big);
    const push = spawnSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${big}`, `docker://${ref}`], { encoding: 'utf8' });
    if (push.status !== 0) throw new Error(`skopeo: ${push.stderr}`);
    fs.rmSync(big);
    results.pullBytes = bytes;
    for (let round = 0; round < 3; round++) {
      for (const d of daemons) {
        d.pulls ??= [];
        const t0 = process.hrtime.bigint();
        const r = d.ctr('images', 'pull', '--plain-http', ref);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r.status !== 0) throw new Error(`${d.label}: pull: ${r.stderr}`);
        d.pulls.push(ms);
        // the next round pulls from scratch: image, content and snapshots go
        d.ctr('images', 'rm', '--sync', ref);
        for (const dg of d.ctr('content', 'ls', '-q').stdout.split('\n').filter(Boolean)) d.ctr('content', 'rm', dg);
        const left = d.ctr('snapshots', 'ls').stdout.split('\n').length - 2;
        if (left > 1) log(`${d.label}: ${left} snapshots left after images rm --sync (1 is busybox)`);
      }
    }
    for (const d of daemons) log(`${d.label}: pull ${d.pulls.map((x) => x.toFixed(0)).join(', ')} ms`);
  }

  const [b, r] = daemons;
  const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;
  const ratio = (x, y) => `${(x / y).toFixed(2)}x`;
  console.log(`\n${results.date}: N=${N} runs each (alternating), C=${C} running busybox sleep containers, medians\n`);
  console.log(`| measure | ${b.label} | ${r.label} | ratio |`);
  console.log('| --- | --- | --- | --- |');
  console.log(`| \`ctr run --rm <busybox> id true\` | ${median(b.runs).toFixed(0)} ms | ${median(r.runs).toFixed(0)} ms | ${ratio(median(b.runs), median(r.runs))} |`);
  console.log(`| daemon RSS idle (image imported) | ${mib(b.idleRss)} | ${mib(r.idleRss)} | ${ratio(b.idleRss, r.idleRss)} |`);
  console.log(`| daemon RSS, ${C} containers running | ${mib(b.busyRss)} | ${mib(r.busyRss)} | ${ratio(b.busyRss, r.busyRss)} |`);
  console.log(`| shim PSS per container | ${mib(b.shim.pss)} | ${mib(r.shim.pss)} | ${ratio(b.shim.pss, r.shim.pss)} |`);
  console.log(`| shim private (Pss_Anon) per container | ${mib(b.shim.anon)} | ${mib(r.shim.anon)} | ${ratio(b.shim.anon, r.shim.anon)} |`);
  console.log(`| shim RSS per container | ${mib(b.shim.rss)} | ${mib(r.shim.rss)} | ${ratio(b.shim.rss, r.shim.rss)} |`);
  console.log(`| ${C} x \`ctr run -d\` (sequential, total) | ${b.startAllMs} ms | ${r.startAllMs} ms | ${ratio(b.startAllMs, r.startAllMs)} |`);
  if (b.pulls) {
    console.log(`| pull 5 layers, ${(results.pullBytes / 1e6).toFixed(0)} MB gzip (median of 3) | ${median(b.pulls).toFixed(0)} ms | ${median(r.pulls).toFixed(0)} ms | ${ratio(median(b.pulls), median(r.pulls))} |`);
  }
} finally {
  for (const d of daemons) await cleanup(d).catch((err) => log(`cleanup ${d.label}: ${err.message}`));
  for (const c of children.reverse()) await c.stop();
  // containerd leaves the namespace's cgroup parent (/<namespace>) behind
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    try {
      fs.rmdirSync(path.join('/sys/fs/cgroup', h, ns));
    } catch {
      // not made in this hierarchy
    }
  }
  try {
    execFileSync('sh', ['-c', `grep -o ' ${tmp}[^ ]*' /proc/self/mountinfo | xargs -r -n1 umount -l`]);
  } catch {
    // nothing mounted
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
