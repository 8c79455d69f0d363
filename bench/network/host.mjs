// The host network state the bench makes and must leave as it found it: two
// bridges of its own (berthd makes its; dockerd wants one made for it), the
// iptables chains of both daemons (berthd removes its own at stop; dockerd
// leaves its DOCKER* chains and jumps behind, so the bench removes them, which
// is why it refuses to run when a DOCKER chain exists already), and the
// bridge-nf-call-iptables sysctl dockerd switches on.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { log } from '../lib/dockerd.mjs';

const linkExists = (name) => fs.existsSync(`/sys/class/net/${name}`);
const nfCall = '/proc/sys/net/bridge/bridge-nf-call-iptables';
const readNfCall = () => (fs.existsSync(nfCall) ? fs.readFileSync(nfCall, 'utf8').trim() : undefined);

const toInt = (ip) => ip.split('.').reduce((n, x) => n * 256 + Number(x), 0);

/** Whether a route of this host covers `ip` (other than a default route). */
function routed(ip) {
  const routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  for (const m of routes.matchAll(/(?:^|\s)(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?\s/gm)) {
    const len = Number(m[2] ?? 32);
    if (len === 0) continue;
    const mask = len === 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
    if (((toInt(m[1]) & mask) >>> 0) === ((toInt(ip) & mask) >>> 0)) return true;
  }
  return false;
}

/** Throws unless the names and subnets are free and no other dockerd's chains exist; returns what to restore. */
export function preflight(nets) {
  for (const n of nets) {
    if (linkExists(n.bridge)) throw new Error(`a link named ${n.bridge} exists already`);
    if (routed(n.gateway)) throw new Error(`${n.gateway} is routed on this host already: pick other subnets`);
  }
  const rules = execFileSync('iptables-save', { encoding: 'utf8' });
  if (/^:DOCKER/m.test(rules)) throw new Error('DOCKER iptables chains exist already (another dockerd with iptables): the bench would remove them at the end');
  for (const n of nets) if (rules.includes(n.bridge)) throw new Error(`iptables rules naming ${n.bridge} exist already`);
  return { nfCall: readNfCall() };
}

/** The bridge dockerd is given with --bridge (it does not make one of another name itself). */
export function makeBridge(n) {
  execFileSync('ip', ['link', 'add', 'name', n.bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `${n.gateway}/24`, 'dev', n.bridge]);
  execFileSync('ip', ['link', 'set', n.bridge, 'up']);
}

/** Rules that jump to, or name, what the bench's daemons made; then those chains. */
function removeRules(ours) {
  for (const table of ['filter', 'nat']) {
    const lines = execFileSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8' }).split('\n');
    const chains = lines.filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim()).filter((c) => ours.test(c));
    for (const l of lines) {
      if (!l.startsWith('-A ') || !ours.test(l)) continue;
      const chain = l.split(' ')[1];
      if (chains.includes(chain)) continue; // goes with its chain
      // -S prints each rule as shell words
      const r = spawnSync('sh', ['-c', `iptables -w -t ${table} ${l.replace(/^-A /, '-D ')}`], { encoding: 'utf8' });
      if (r.status !== 0) log(`iptables -t ${table} ${l}: ${r.stderr.trim()}`);
    }
    for (const c of chains) spawnSync('iptables', ['-w', '-t', table, '-F', c]);
    for (const c of chains) spawnSync('iptables', ['-w', '-t', table, '-X', c]);
  }
}

/** Everything of the bench's on the host network gone (after the daemons stopped). */
export function restoreHost(nets, before) {
  const names = nets.map((n) => n.bridge).join('|');
  removeRules(new RegExp(`\\bDOCKER[-A-Z0-9]*\\b|\\b(${names})\\b`));
  for (const n of nets) if (linkExists(n.bridge)) spawnSync('ip', ['link', 'del', n.bridge]);
  if (before.nfCall !== undefined && readNfCall() !== before.nfCall) fs.writeFileSync(nfCall, before.nfCall);
}
