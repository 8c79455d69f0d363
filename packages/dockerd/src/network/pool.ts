/**
 * Subnets for user networks created without --subnet, from docker's default
 * address pools (172.17-31.0.0/16, then 192.168.0.0/16 in /20 blocks): the
 * first one that overlaps neither a network of this berthd nor a route of
 * the host (read from /proc/net/route, so another daemon's bridge, a VPN or
 * the LAN is never shadowed).
 */
import fs from 'node:fs';
import { unavailable } from '@berth/errors';
import { intToIp, overlaps } from './cidr.js';

interface Block {
  network: string;
  prefixLen: number;
}

function candidates(): Block[] {
  const out: Block[] = [];
  for (let b = 17; b <= 31; b++) out.push({ network: `172.${b}.0.0`, prefixLen: 16 });
  for (let c = 0; c < 256; c += 16) out.push({ network: `192.168.${c}.0`, prefixLen: 20 });
  return out;
}

/** /proc/net/route holds destination and mask as little-endian hex; the default route (mask 0) shadows nothing. */
export function hostRoutes(text = readRoutes()): Block[] {
  const out: Block[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = Number.parseInt(f[1] ?? '', 16);
    const mask = Number.parseInt(f[7] ?? '', 16);
    if (!Number.isFinite(dest) || !Number.isFinite(mask) || mask === 0) continue;
    const swap = (n: number) => (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | ((n >>> 24) & 255)) >>> 0;
    let bits = 0;
    for (let m = swap(mask); m !== 0; m = (m << 1) >>> 0) bits++;
    out.push({ network: intToIp(swap(dest)), prefixLen: bits });
  }
  return out;
}

function readRoutes(): string {
  try {
    return fs.readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}

export function pickSubnet(taken: Block[], routes: Block[] = hostRoutes()): string {
  for (const c of candidates()) {
    if (taken.some((t) => overlaps(t, c)) || routes.some((r) => overlaps(r, c))) continue;
    return `${c.network}/${c.prefixLen}`;
  }
  throw unavailable('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}
