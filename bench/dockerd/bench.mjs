#!/usr/bin/env node
// berthd (on berth-containerd) against the real dockerd 20.10 (on its own
// containerd 1.6), in the same run, both driven by the real docker CLI 28:
//   - median `docker run --rm --network none busybox true` (N runs each,
//     alternating daemons), and the same through the berth CLI against berthd
//     when `bin/berth run` works;
//   - median `docker ps` with C running busybox `sleep` containers;
//   - daemon RSS (VmRSS) idle and with C containers, for the API daemon and the
//     containerd below it;
//   - pull time of a 5-layer ~100 MB image (random data) from a local
//     docker-registry on 127.0.0.1, pushed with skopeo; a fresh image each round
//     so that nothing is cached (skipped with --no-pull).
//
//   bench/dockerd/run.sh [N=20] [C=50] [--no-pull | --only-pull] [--rounds=3] [--cpu-prof=DIR]
//   (root; needs dockerd,
//   containerd, runc, the docker CLI, docker-registry, skopeo; `make build`)
//
// Everything lives in a temp dir; containers are removed, daemons and the
// registry stopped by pid, the cgroup parents and the temp dir removed.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchContext, cleanupRun, log, median, must, removeContainers, sleep, startBerth as startBerthd, startRealDockerd, timed } from '../lib/dockerd.mjs';
import { freePort, ociArchive, randomLayer, rssKb } from '../lib/images.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const noPull = args.includes('--no-pull');
// --only-pull: just the pull rounds (no run/ps/RSS), for work on the pull path
const onlyPull = args.includes('--only-pull');
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
// --cpu-prof=DIR: berthd and berth-containerd write V8 CPU profiles there when they stop
const profDir = args.find((a) => a.startsWith('--cpu-prof='))?.slice(11);
const profEnv = profDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(profDir)}` } : {};
const [N = 20, C = 50] = args.filter((a) => !a.startsWith('--')).map(Number);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-dockerd-'));
const tag = crypto.randomBytes(4).toString('hex');
const ctx = benchContext(tmp);
const { launch, clientOn } = ctx;

// like the dockerd it is compared with: no bridge, the host network left alone
const startBerth = () => startBerthd(ctx, { root, tag, env: profEnv, flags: ['--bridge', 'none'] });

// no bridge, no iptables: the host network is left alone (containers use --network none)
const startReal = () => startRealDockerd(ctx, { tag, flags: ['--bridge', 'none', '--iptables=false', '--ip6tables=false',
  '--ip-masq=false', '--ip-forward=false', '--userland-proxy=false'] });

/** run --rm latency, ps with C running, RSS idle and busy. */
async function runAndPs(b, r) {
  const tar = path.join(tmp, 'busybox.tar');
  execFileSync('bash', [path.join(root, 'scripts/make-busybox-image.sh'), path.join(root, 'images/busybox/rootfs'), tar]);
  for (const d of daemons) must(d.label, 'load', d.docker('load', '-i', tar));
  await sleep(3000);
  for (const d of daemons) d.idle = { api: rssKb(d.d.pid), ctrd: rssKb(d.containerdPid()) };

  // run --rm latency, alternating so that machine noise hits both alike
  const run = ['run', '--rm', '--network', 'none', 'busybox', 'true'];
  const berth = clientOn(path.join(root, 'bin/berth'), b.socket);
  const berthWorks = berth(...run).status === 0;
  if (!berthWorks) log('bin/berth run does not work yet: its line is left out');
  for (const d of daemons) for (let i = 0; i < 2; i++) must(d.label, 'run', d.docker(...run));
  for (const d of daemons) d.runs = [];
  const berthRuns = [];
  for (let i = 0; i < N; i++) {
    for (const d of daemons) {
      const t = timed(() => d.docker(...run));
      must(d.label, 'run', t.r);
      d.runs.push(t.ms);
    }
    if (berthWorks) {
      const t = timed(() => berth(...run));
      must('berth CLI', 'run', t.r);
      berthRuns.push(t.ms);
    }
  }
  rows.push([`\`docker run --rm --network none busybox true\` (N=${N})`, median(b.runs), median(r.runs), 'ms']);
  if (berthWorks) rows.push([`\`berth run --rm ...\` against berthd (N=${N}; ratio to the docker CLI on dockerd)`, median(berthRuns), median(r.runs), 'ms']);
  log(`run --rm: berthd ${median(b.runs).toFixed(0)} ms, dockerd ${median(r.runs).toFixed(0)} ms${berthWorks ? `, berth CLI ${median(berthRuns).toFixed(0)} ms` : ''}`);

  // C running containers: start time, ps latency, RSS
  for (const d of daemons) {
    const t0 = Date.now();
    for (let i = 0; i < C; i++) must(d.label, 'run -d', d.docker('run', '-d', '--network', 'none', '--name', `sleep-${i}`, 'busybox', 'sleep', '3000'));
    d.startAllMs = Date.now() - t0;
  }
  await sleep(5000);
  for (const d of daemons) {
    const running = d.docker('ps', '-q').stdout.split('\n').filter(Boolean).length;
    if (running !== C) throw new Error(`${d.label}: ${running} of ${C} running`);
    d.busy = { api: rssKb(d.d.pid), ctrd: rssKb(d.containerdPid()) };
    d.ps = [];
  }
  for (let i = 0; i < Math.max(10, Math.floor(N / 2)); i++) {
    for (const d of daemons) {
      const t = timed(() => d.docker('ps'));
      must(d.label, 'ps', t.r);
      d.ps.push(t.ms);
    }
  }
  rows.push([`${C} x \`docker run -d\` (sequential, total)`, b.startAllMs, r.startAllMs, 'ms']);
  rows.push([`\`docker ps\` with ${C} running`, median(b.ps), median(r.ps), 'ms']);
  rows.push(['API daemon RSS idle (busybox loaded)', b.idle.api, r.idle.api, 'kB']);
  rows.push([`API daemon RSS, ${C} running`, b.busy.api, r.busy.api, 'kB']);
  rows.push(['containerd RSS idle (below the API daemon)', b.idle.ctrd, r.idle.ctrd, 'kB']);
  rows.push([`containerd RSS, ${C} running`, b.busy.ctrd, r.busy.ctrd, 'kB']);
  log(`ps with ${C}: berthd ${median(b.ps).toFixed(0)} ms, dockerd ${median(r.ps).toFixed(0)} ms`);
  for (const d of daemons) removeContainers(d);
}

const date = new Date().toISOString().slice(0, 10);
const daemons = [];
const rows = [];
try {
  daemons.push(await startBerth(), await startReal());
  const [b, r] = daemons;
  if (!onlyPull) await runAndPs(b, r);

  // pull of a 5-layer ~100 MB image from a local registry, a fresh image per round
  if (!noPull) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    fs.writeFileSync(path.join(tmp, 'registry.yml'), ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${tmp}/registry`, 'http:', `  addr: ${host}`, ''].join('\n'));
    launch('registry', 'docker-registry', ['serve', path.join(tmp, 'registry.yml')]);
    for (let i = 0; i < 300 && !(await fetch(`http://${host}/v2/`).then((x) => x.ok, () => false)); i++) await sleep(50);
    let bytes = 0;
    for (let round = 0; round < rounds; round++) {
      const ref = `${host}/bench/big:${tag}-${round}`;
      const big = path.join(tmp, 'big.tar');
      bytes = ociArchive(tmp, ref, Array.from({ length: 5 }, (_, i) => randomLayer(tmp, i, 20 * 1024 * 1024)), ['sh'], big);
      const push = spawnSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${big}`, `docker://${ref}`], { encoding: 'utf8' });
      if (push.status !== 0) throw new Error(`skopeo: ${push.stderr}`);
      fs.rmSync(big);
      for (const d of daemons) {
        d.pulls ??= [];
        const t = timed(() => d.docker('pull', '-q', ref));
        must(d.label, 'pull', t.r);
        d.pulls.push(t.ms);
        must(d.label, 'rmi', d.docker('rmi', ref));
      }
    }
    rows.push([`pull 5 layers, ${(bytes / 1e6).toFixed(0)} MB gzip (median of ${rounds})`, median(b.pulls), median(r.pulls), 'ms']);
    log(`pull: berthd ${b.pulls.map((x) => x.toFixed(0)).join(', ')} ms; dockerd ${r.pulls.map((x) => x.toFixed(0)).join(', ')} ms`);
  }

  const fmt = (v, unit) => (unit === 'kB' ? `${(v / 1024).toFixed(1)} MiB` : `${v.toFixed(0)} ms`);
  console.log(`\n${date}: N=${N} runs each (alternating), C=${C} running busybox sleep containers, medians\n`);
  console.log(`| date | measure | berthd + berth-containerd | ${r.label} + containerd | ratio |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const [what, ours, theirs, unit] of rows) console.log(`| ${date} | ${what} | ${fmt(ours, unit)} | ${fmt(theirs, unit)} | ${(ours / theirs).toFixed(2)}x |`);
} finally {
  await cleanupRun(ctx, daemons);
}
