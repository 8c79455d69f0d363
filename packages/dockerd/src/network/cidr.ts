/** IPv4 addresses and CIDR blocks as numbers: enough for --bip and the bridge's IPAM. */
import { invalidArgument } from '@berth/errors';

export interface Ipv4Net {
  /** The bridge's own address (the --bip address, the containers' gateway). */
  gateway: string;
  prefixLen: number;
  /** The network address, "10.1.2.0". */
  network: string;
  /** "10.1.2.0/24". */
  subnet: string;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw invalidArgument(`invalid IPv4 address: ${ip}`);
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (Math.floor(n / 2 ** s) & 255).toString()).join('.');
}

const maskOf = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** "172.31.0.1/16" -> the bridge's address, prefix and subnet; the address must be a host address of the subnet. */
export function parseBip(cidr: string): Ipv4Net {
  const [ip = '', len = ''] = cidr.split('/');
  const prefixLen = Number(len);
  if (!/^\d+$/.test(len) || prefixLen < 8 || prefixLen > 30) throw invalidArgument(`invalid --bip ${cidr}: want an IPv4 address with a prefix length of 8 to 30`);
  const addr = ipToInt(ip);
  const net = (addr & maskOf(prefixLen)) >>> 0;
  const broadcast = (net | (~maskOf(prefixLen) >>> 0)) >>> 0;
  if (addr === net || addr === broadcast) throw invalidArgument(`invalid --bip ${cidr}: the bridge needs a host address, not the network or broadcast address`);
  return { gateway: ip, prefixLen, network: intToIp(net), subnet: `${intToIp(net)}/${prefixLen}` };
}

/** Every host address of the block but the gateway, lowest first (docker's IPAM also starts low). */
export function hostRange(n: Ipv4Net): { first: number; last: number; gateway: number } {
  const net = ipToInt(n.network);
  return { first: net + 1, last: net + 2 ** (32 - n.prefixLen) - 2, gateway: ipToInt(n.gateway) };
}

/** A CIDR block as a create body gives it: docker's error texts for a bad one. */
export function parseSubnet(cidr: string): { network: string; prefixLen: number; subnet: string } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  const bad = () => invalidArgument(`Invalid subnet ${cidr} : invalid CIDR address: ${cidr}`);
  if (!m) throw bad();
  const prefixLen = Number(m[2]);
  let addr: number;
  try {
    addr = ipToInt(m[1] ?? '');
  } catch {
    throw bad();
  }
  if (prefixLen > 32) throw bad();
  const net = (addr & maskOf(prefixLen)) >>> 0;
  return { network: intToIp(net), prefixLen, subnet: `${intToIp(net)}/${prefixLen}` };
}

/** The block of a user network: its gateway is the one given (a host address of it) or its first host address. */
export function userNet(subnet: string, gateway: string): Ipv4Net {
  const s = parseSubnet(subnet);
  if (s.prefixLen > 30) throw invalidArgument(`invalid subnet ${subnet}: want a prefix length of at most 30`);
  const gw = gateway === '' ? intToIp(ipToInt(s.network) + 1) : gateway;
  if (!contains(s, gw)) throw invalidArgument(`no matching subnet for gateway ${gw}`);
  const n = ipToInt(gw) - ipToInt(s.network);
  if (n === 0 || n === 2 ** (32 - s.prefixLen) - 1) throw invalidArgument(`invalid gateway ${gw}: the network or broadcast address of ${s.subnet}`);
  return { gateway: gw, prefixLen: s.prefixLen, network: s.network, subnet: s.subnet };
}

export function contains(block: { network: string; prefixLen: number }, ip: string): boolean {
  return ((ipToInt(ip) & maskOf(block.prefixLen)) >>> 0) === ipToInt(block.network);
}

/** Two blocks share an address when the shorter prefix's block holds the other's network address. */
export function overlaps(a: { network: string; prefixLen: number }, b: { network: string; prefixLen: number }): boolean {
  return a.prefixLen <= b.prefixLen ? contains(a, b.network) : contains(b, a.network);
}
