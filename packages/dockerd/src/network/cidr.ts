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
