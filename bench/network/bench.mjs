#!/usr/bin/env node
// The bridge network of berthd (on berth-containerd) against the real dockerd
// 20.10 (docker-proxy, its DOCKER iptables chains), in the same run, both on a
// bridge of the bench's own and driven by the real docker CLI 28:
//   - TCP throughput into a container (busybox nc -ll -e dd, a sink) through a
//     port published on 127.0.0.1 (the userland proxy: berthd's in-process
//     Node proxy, dockerd's docker-proxy), through a port published on the
//     bridge's own address (the DNAT rule of the nat OUTPUT chain: no proxy)
//     and straight to the container's address (no NAT, the floor);
//   - connection rate: busybox httpd, one GET per new connection, sequential
//     and `--concurrency` at once, through the same paths;
//   - `docker run --rm busybox true` with --network none, on the bridge, and
//     with -p 127.0.0.1::80: the difference is what `run` spends on the network.
//
//   bench/network/run.sh [--rounds=5] [--mib=512] [--conns=500] [--runs=15] [--concurrency=8]
//   (root; needs dockerd, containerd, runc, docker-proxy, the docker CLI, ip, iptables; `make build rootfs`)
//
// Bridges bnb0 (berthd, 172.31.250.0/24) and bnd0 (dockerd, 172.31.251.0/24):
// the bench refuses to start when either exists or is routed, or when DOCKER
// chains exist, and removes both bridges, every chain and rule of the two
// daemons, the containers, the daemons (by pid), the cgroup parents and the
// temp dir at the end. Traffic goes only to 127.0.0.1, the bridges and the
// containers on them.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchContext, cleanupRun, log, median, must, startBerth, startRealDockerd, timed } from '../lib/dockerd.mjs';
import { freePort } from '../lib/images.mjs';
import { makeBridge, preflight, restoreHost } from './host.mjs';
import { connRate, getOnce, halfCloseAnswered, sendBulk, untilWorks } from './traffic.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const rounds = opt('rounds', 5);
const mib = opt('mib', 512);
const conns = opt('conns', 500);
const runs = opt('runs', 15);
const concurrency = opt('concurrency', 8);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-network-'));
const tag = crypto.randomBytes(4).toString('hex');
const ctx = benchContext(tmp);
const nets = [{ bridge: 'bnb0', gateway: '172.31.250.1' }, { bridge: 'bnd0', gateway: '172.31.251.1' }];
const [berthNet, realNet] = nets;

const paths = ['proxy', 'dnat', 'direct'];
// which daemon goes first alternates by round, so that neither always follows the other's load
const turn = (daemons, i) => (i % 2 === 0 ? daemons : [...daemons].reverse());

/** `docker run --rm` wall time per network mode, alternating daemons and rotating modes so that noise hits all alike. */
function runTimes(daemons) {
  const modes = [['none', ['--network', 'none']], ['bridge', []], ['publish', ['-p', '127.0.0.1::80']]];
  for (const d of daemons) for (const [, flags] of modes) must(d.label, 'run', d.docker('run', '--rm', ...flags, 'busybox', 'true'));
  for (const d of daemons) d.run = Object.fromEntries(modes.map(([m]) => [m, []]));
  for (let i = 0; i < runs; i++) {
    // the modes' order rotates too: on a busy machine the first run of a round pays more
    const order = modes.map((_, k) => modes[(k + i) % modes.length]);
    for (const d of turn(daemons, i)) {
      for (const [m, flags] of order) {
        const t = timed(() => d.docker('run', '--rm', ...flags, 'busybox', 'true'));
        must(d.label, `run (${m})`, t.r);
        d.run[m].push(t.ms);
      }
    }
  }
  for (const d of daemons) d.runMs = Object.fromEntries(Object.entries(d.run).map(([m, xs]) => [m, median(xs)]));
  for (const d of daemons) log(`${d.label} run --rm ms: ${Object.entries(d.run).map(([m, xs]) => `${m} ${xs.map((x) => x.toFixed(0)).join(' ')}`).join('; ')}`);
}

/** A container of `d` on its bridge publishing `port` on 127.0.0.1 and on the gateway; its three addresses. */
async function serve(d, net, name, port, cmd) {
  const local = await freePort();
  const gw = await freePort();
  must(d.label, `run ${name}`, d.docker('run', '-d', '--name', name, '-p', `127.0.0.1:${local}:${port}`, '-p', `${net.gateway}:${gw}:${port}`, 'busybox', ...cmd));
  const ip = must(d.label, 'inspect', d.docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', name)).trim();
  return { proxy: ['127.0.0.1', local], dnat: [net.gateway, gw], direct: [ip, port] };
}

async function throughput(daemons) {
  for (const d of daemons) {
    d.sink = await serve(d, d.net, `sink-${tag}`, 5001, ['nc', '-ll', '-p', '5001', '-e', 'sh', '-c', `exec dd of=/dev/null bs=1M count=${mib} iflag=fullblock 2>&1`]);
    // the first send waits for the sink to listen, and warms up every path
    for (const p of paths) await untilWorks(() => sendBulk(...d.sink[p], mib), `${d.label} sink via ${p}`);
    d.halfClose = Object.fromEntries(await Promise.all(paths.map(async (p) => [p, await halfCloseAnswered(...d.sink[p])])));
    log(`${d.label}: a half-closed connection gets its answer: ${paths.map((p) => `${p} ${d.halfClose[p] ? 'yes' : 'NO'}`).join(', ')}`);
    d.mibs = Object.fromEntries(paths.map((p) => [p, []]));
  }
  // the process doing the userland proxy's copying: berthd itself, or the docker-proxy dockerd started for the port
  for (const d of daemons) d.proxyPid = d.proxyOf(d.sink.proxy[1]);
  for (const d of daemons) d.proxyTicks = 0;
  for (let i = 0; i < rounds; i++) {
    for (const d of turn(daemons, i)) {
      for (const p of paths) {
        const t0 = p === 'proxy' ? cpuTicks(d.proxyPid) : 0;
        d.mibs[p].push(mib / ((await sendBulk(...d.sink[p], mib)) / 1000));
        if (p === 'proxy') d.proxyTicks += cpuTicks(d.proxyPid) - t0;
      }
    }
  }
  // CPU seconds per GiB carried
  for (const d of daemons) d.proxyCpu = d.proxyTicks / ticksPerSecond / ((rounds * mib) / 1024);
  for (const d of daemons) log(`${d.label} MiB/s: ${paths.map((p) => `${p} ${d.mibs[p].map((x) => x.toFixed(0)).join(' ')}`).join('; ')}`);
}

async function connections(daemons) {
  const script = 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www';
  const measures = [...paths.map((p) => [p, 1]), ['proxy', concurrency], ['dnat', concurrency]];
  for (const d of daemons) {
    d.web = await serve(d, d.net, `web-${tag}`, 80, ['sh', '-c', script]);
    for (const p of paths) await untilWorks(() => getOnce(...d.web[p]), `${d.label} httpd via ${p}`);
    d.cps = Object.fromEntries(measures.map(([p, c]) => [`${p}/${c}`, []]));
  }
  for (const d of daemons) d.webProxyPid = d.proxyOf(d.web.proxy[1]);
  for (const d of daemons) d.webTicks = 0;
  for (let i = 0; i < rounds; i++) {
    for (const d of turn(daemons, i)) {
      for (const [p, c] of measures) {
        const t0 = p === 'proxy' ? cpuTicks(d.webProxyPid) : 0;
        d.cps[`${p}/${c}`].push(await connRate(...d.web[p], conns, c));
        if (p === 'proxy') d.webTicks += cpuTicks(d.webProxyPid) - t0;
      }
    }
  }
  // CPU seconds per 1000 connections through the proxy (sequential and concurrent rounds together)
  for (const d of daemons) d.connCpu = d.webTicks / ticksPerSecond / ((rounds * conns * 2) / 1000);
  for (const d of daemons) log(`${d.label} conn/s: ${Object.entries(d.cps).map(([k, xs]) => `${k} ${xs.map((x) => x.toFixed(0)).join(' ')}`).join('; ')}`);
  return measures;
}

/** The docker-proxy dockerd (`pid`) started for 127.0.0.1:`port`. */
function dockerProxyOf(pid, port) {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l.includes('docker-proxy') && l.includes('-host-ip 127.0.0.1') && l.includes(`-host-port ${port} `));
  if (!line) throw new Error(`no docker-proxy for 127.0.0.1:${port} under dockerd: ${out}`);
  return Number(line.trim().split(' ')[0]);
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const date = new Date().toISOString().slice(0, 10);
const load0 = os.loadavg();
let before;
try {
  before = preflight(nets);
} catch (err) {
  // nothing started, nothing of the host's to restore (and restoring would touch what is not ours)
  fs.rmSync(tmp, { recursive: true, force: true });
  throw err;
}
const daemons = [];
const rows = [];
try {
  const b = await startBerth(ctx, { root, tag, flags: ['--bridge', berthNet.bridge, '--bip', `${berthNet.gateway}/24`, '--ip-masq=false'] });
  b.net = berthNet;
  // berthd's proxy runs in berthd itself
  b.proxyOf = () => b.d.pid;
  daemons.push(b);
  makeBridge(realNet);
  // the defaults but for masquerading and forwarding (the bench's traffic never leaves the host): iptables DNAT and docker-proxy
  const r = await startRealDockerd(ctx, { tag, flags: ['--bridge', realNet.bridge, '--ip-masq=false', '--ip-forward=false', '--ip6tables=false'] });
  r.net = realNet;
  r.proxyOf = (port) => dockerProxyOf(r.d.pid, port);
  daemons.push(r);

  const tar = path.join(tmp, 'busybox.tar');
  execFileSync('bash', [path.join(root, 'scripts/make-busybox-image.sh'), path.join(root, 'images/busybox/rootfs'), tar]);
  for (const d of daemons) must(d.label, 'load', d.docker('load', '-i', tar));

  runTimes(daemons);
  const ms = (what, f) => rows.push([what, f(b), f(r), 'ms']);
  ms(`\`docker run --rm --network none busybox true\` (N=${runs})`, (d) => d.runMs.none);
  ms(`\`docker run --rm busybox true\` (bridge, N=${runs})`, (d) => d.runMs.bridge);
  ms(`\`docker run --rm -p 127.0.0.1::80 busybox true\` (N=${runs})`, (d) => d.runMs.publish);
  ms('network setup of `run`: bridge minus none', (d) => d.runMs.bridge - d.runMs.none);
  ms('one published port: -p minus bridge', (d) => d.runMs.publish - d.runMs.bridge);
  log(`run --rm none/bridge/-p: ${daemons.map((d) => `${d.label} ${Object.values(d.runMs).map((x) => x.toFixed(0)).join('/')} ms`).join(', ')}`);

  await throughput(daemons);
  const label = { proxy: 'published on 127.0.0.1 (userland proxy)', dnat: 'published on the bridge address (DNAT)', direct: 'to the container address (no NAT)' };
  for (const p of paths) rows.push([`TCP ${mib} MiB ${label[p]}`, median(b.mibs[p]), median(r.mibs[p]), 'MiB/s']);
  rows.push(['CPU of the userland proxy per GiB carried (berthd; docker-proxy)', b.proxyCpu, r.proxyCpu, 's']);

  const measures = await connections(daemons);
  for (const [p, c] of measures) rows.push([`HTTP GET, new connection each, ${c === 1 ? 'sequential' : `${c} concurrent`}, ${label[p]}`, median(b.cps[`${p}/${c}`]), median(r.cps[`${p}/${c}`]), 'conn/s']);
  rows.push(['CPU of the userland proxy per 1000 connections (berthd; docker-proxy)', b.connCpu, r.connCpu, 's']);

  const fmt = (v, unit) => (unit === 's' ? `${v.toFixed(2)} s` : `${v.toFixed(0)} ${unit}`);
  console.log(`\n${date}: medians of ${rounds} rounds (${runs} runs for \`run\`), ${mib} MiB per send, ${conns} GETs per round; load average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at end\n`);
  console.log(`| date | measure | berthd + berth-containerd | ${r.label} + containerd | ratio |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const [what, ours, theirs, unit] of rows) console.log(`| ${date} | ${what} | ${fmt(ours, unit)} | ${fmt(theirs, unit)} | ${(ours / theirs).toFixed(2)}x |`);
} finally {
  await cleanupRun(ctx, daemons);
  restoreHost(nets, before);
}
