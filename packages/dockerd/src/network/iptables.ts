/**
 * berthd's iptables rules, all in chains of its own named after the bridge
 * (so two daemons with two bridges never touch each other's rules), each
 * reached by one jump from the built-in chain:
 *   nat POSTROUTING -> BERTH-POST-<br>: MASQUERADE of the subnet going out elsewhere
 *   nat PREROUTING, OUTPUT (local destinations, not loopback) -> BERTH-DNAT-<br>: published ports
 *   filter FORWARD -> BERTH-FWD-<br>: the bridge's own traffic out, replies in, published ports in,
 *     anything else into the bridge dropped; an internal network drops everything in or out but its own
 *     containers' traffic among themselves
 *   filter BERTH-ISOLATION (shared by every bridge, and by every berthd on the host): new connections
 *     into a bridge from anywhere else but a published port dropped, so networks are isolated from each
 *     other as docker's are. Each BERTH-FWD chain jumps there first: the bridge a packet leaves would
 *     otherwise accept it before the chain of the bridge it enters sees it.
 * Loopback destinations are left to the userland proxy (proxy.ts), as docker-proxy does.
 */
import { run, tryRun } from './run.js';

export interface Chains {
  post: string;
  dnat: string;
  fwd: string;
}

export const chainsOf = (bridge: string): Chains => ({ post: `BERTH-POST-${bridge}`, dnat: `BERTH-DNAT-${bridge}`, fwd: `BERTH-FWD-${bridge}` });

const ISOLATION = 'BERTH-ISOLATION';

const isolationRule = (bridge: string) => ['!', '-i', bridge, '-o', bridge, '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP'];

const ipt = (table: string, args: string[]) => run('iptables', ['-w', '-t', table, ...args]);
const tryIpt = (table: string, args: string[]) => tryRun('iptables', ['-w', '-t', table, ...args]);

/** A rule added once: -C first, so re-adopting after a restart does not duplicate it. */
async function ensureRule(table: string, chain: string, rule: string[], insert = false): Promise<void> {
  if (await tryIpt(table, ['-C', chain, ...rule])) return;
  await ipt(table, [insert ? '-I' : '-A', chain, ...rule]);
}

async function freshChain(table: string, chain: string): Promise<void> {
  await tryIpt(table, ['-N', chain]);
  await ipt(table, ['-F', chain]);
}

const jumps = (c: Chains): [string, string, string[]][] => [
  ['nat', 'POSTROUTING', ['-j', c.post]],
  ['nat', 'PREROUTING', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.dnat]],
  ['nat', 'OUTPUT', ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.dnat]],
  ['filter', 'FORWARD', ['-j', c.fwd]],
];

/** The chains emptied and refilled with the bridge's base rules; the jumps made once. */
export async function setupChains(bridge: string, subnet: string, opts: { masquerade: boolean; internal: boolean }): Promise<void> {
  const c = chainsOf(bridge);
  await freshChain('nat', c.post);
  await freshChain('nat', c.dnat);
  await freshChain('filter', c.fwd);
  await tryIpt('filter', ['-N', ISOLATION]);
  await ensureRule('filter', ISOLATION, isolationRule(bridge));
  await ipt('filter', ['-A', c.fwd, '-j', ISOLATION]);
  if (opts.masquerade) await ipt('nat', ['-A', c.post, '-s', subnet, '!', '-o', bridge, '-j', 'MASQUERADE']);
  if (opts.internal) {
    await ipt('filter', ['-A', c.fwd, '-i', bridge, '!', '-o', bridge, '-j', 'DROP']);
    await ipt('filter', ['-A', c.fwd, '!', '-i', bridge, '-o', bridge, '-j', 'DROP']);
    await ipt('filter', ['-A', c.fwd, '-i', bridge, '-o', bridge, '-j', 'ACCEPT']);
  } else {
    await ipt('filter', ['-A', c.fwd, '-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
    await ipt('filter', ['-A', c.fwd, '-i', bridge, '-j', 'ACCEPT']);
    // published ports are inserted above this (addPortRule)
    await ipt('filter', ['-A', c.fwd, '!', '-i', bridge, '-o', bridge, '-j', 'DROP']);
  }
  for (const [table, chain, rule] of jumps(c)) await ensureRule(table, chain, rule, true);
}

/** Every jump and chain of this bridge gone. */
export async function removeChains(bridge: string): Promise<void> {
  const c = chainsOf(bridge);
  for (const [table, chain, rule] of jumps(c)) while (await tryIpt(table, ['-D', chain, ...rule]));
  for (const [table, chain] of [['nat', c.post], ['nat', c.dnat], ['filter', c.fwd]] as const) {
    await tryIpt(table, ['-F', chain]);
    await tryIpt(table, ['-X', chain]);
  }
  while (await tryIpt('filter', ['-D', ISOLATION, ...isolationRule(bridge)]));
  // the shared chain goes with the last bridge (-X fails while another chain still jumps there)
  const left = await run('iptables', ['-w', '-t', 'filter', '-S', ISOLATION]).catch(() => undefined);
  if (left && left.stdout.trim().split('\n').length === 1) await tryIpt('filter', ['-X', ISOLATION]);
}

export interface PortRule {
  proto: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

function portRules(bridge: string, r: PortRule): [string, string, string[]][] {
  const c = chainsOf(bridge);
  const dst = r.hostIp === '' || r.hostIp === '0.0.0.0' ? [] : ['-d', `${r.hostIp}/32`];
  return [
    ['nat', c.dnat, ['-p', r.proto, ...dst, '--dport', String(r.hostPort), '!', '-i', bridge, '-j', 'DNAT', '--to-destination', `${r.containerIp}:${r.containerPort}`]],
    ['filter', c.fwd, ['-d', `${r.containerIp}/32`, '!', '-i', bridge, '-o', bridge, '-p', r.proto, '--dport', String(r.containerPort), '-j', 'ACCEPT']],
  ];
}

/** Inserted at the top: the FORWARD accept must come before the chain's final DROP. */
export async function addPortRule(bridge: string, r: PortRule): Promise<void> {
  for (const [table, chain, rule] of portRules(bridge, r)) await ensureRule(table, chain, rule, true);
}

export async function removePortRule(bridge: string, r: PortRule): Promise<void> {
  for (const [table, chain, rule] of portRules(bridge, r)) while (await tryIpt(table, ['-D', chain, ...rule]));
}
