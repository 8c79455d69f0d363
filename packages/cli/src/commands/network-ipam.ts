/**
 * `network create`'s client-side IPAM checks, as docker's createIPAMConfig:
 * every --ip-range and --gateway must fall in one of the --subnet values,
 * subnets must not overlap, one range and one gateway per subnet. The
 * daemon checks the rest (a bad lone subnet, pool overlaps with other
 * networks), so the messages here are only the ones docker's client prints.
 */
import net from 'node:net';

export interface IpamFlags {
  driver: string;
  subnets: string[];
  ipRanges: string[];
  gateways: string[];
  auxAddresses: Record<string, string>;
  options: Record<string, string>;
}

export interface IpamConfig {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** Go's net.ParseIP, as bytes: 4 for IPv4, 16 for IPv6; undefined when it is not an address. */
export function parseIP(s: string): number[] | undefined {
  if (net.isIPv4(s)) return s.split('.').map(Number);
  if (!net.isIPv6(s)) return undefined;
  let text = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = (v4[1] as string).split('.').map(Number);
    text = `${text.slice(0, v4.index)}${(((b[0] ?? 0) << 8) | (b[1] ?? 0)).toString(16)}:${(((b[2] ?? 0) << 8) | (b[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const words = (part: string) => (part ? part.split(':').map((w) => Number.parseInt(w, 16)) : []);
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const bytes = all.flatMap((w) => [w >> 8, w & 0xff]);
  // an IPv4-mapped IPv6 address is an IPv4 address to Go's Contains
  const mapped = bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

interface Cidr {
  ip: number[];
  bits: number;
}

/** Go's net.ParseCIDR, with its error text. */
export function parseCIDR(s: string): Cidr {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? '' : s.slice(0, slash);
  const ip = parseIP(addr);
  const bitsText = slash < 0 ? '' : s.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  const maxBits = net.isIPv4(addr) ? 32 : 128;
  if (!ip || bits < 0 || bits > maxBits) throw new Error(`invalid CIDR address: ${s}`);
  // an IPv4-mapped IPv6 prefix counts its bits from the IPv4 part
  return { ip, bits: ip.length === 4 && maxBits === 128 ? Math.max(0, bits - 96) : bits };
}

function contains(n: Cidr, ip: number[] | undefined): boolean {
  if (!ip || ip.length !== n.ip.length) return false;
  for (let i = 0; i < ip.length; i++) {
    const maskBits = Math.max(0, Math.min(8, n.bits - i * 8));
    const mask = (0xff << (8 - maskBits)) & 0xff;
    if (((ip[i] ?? 0) & mask) !== ((n.ip[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** docker's subnetMatches: is `data` (an address, or a CIDR's address) inside `subnet`? */
function subnetMatches(subnet: string, data: string): boolean {
  let n: Cidr;
  try {
    n = parseCIDR(subnet);
  } catch (err) {
    throw new Error(`invalid subnet: ${(err as Error).message}`);
  }
  return contains(n, data.includes('/') ? parseCIDR(data).ip : parseIP(data));
}

/** The IPAM object of POST /networks/create, or docker's client-side error. */
export function ipamConfig(o: IpamFlags): { Driver: string; Options: Record<string, string>; Config: IpamConfig[] } {
  if (o.subnets.length < o.ipRanges.length || o.subnets.length < o.gateways.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const bySubnet = new Map<string, IpamConfig>();
  for (const s of o.subnets) {
    for (const k of bySubnet.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    bySubnet.set(s, { Subnet: s });
  }
  for (const r of o.ipRanges) {
    let match = false;
    for (const s of o.subnets) {
      parseCIDR(r);
      if (!subnetMatches(s, r)) continue;
      const cfg = bySubnet.get(s) as IpamConfig;
      if (cfg.IPRange) throw new Error(`cannot configure multiple ranges (${r}, ${cfg.IPRange}) on the same subnet (${s})`);
      cfg.IPRange = r;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for range ${r}`);
  }
  for (const g of o.gateways) {
    let match = false;
    for (const s of o.subnets) {
      if (!subnetMatches(s, g)) continue;
      const cfg = bySubnet.get(s) as IpamConfig;
      if (cfg.Gateway) throw new Error(`cannot configure multiple gateways (${g}, ${cfg.Gateway}) for the same subnet (${s})`);
      cfg.Gateway = g;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for gateway ${g}`);
  }
  for (const [key, addr] of Object.entries(o.auxAddresses)) {
    let match = false;
    for (const s of o.subnets) {
      if (!subnetMatches(s, addr)) continue;
      const cfg = bySubnet.get(s) as IpamConfig;
      cfg.AuxiliaryAddresses = { ...cfg.AuxiliaryAddresses, [key]: addr };
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${addr}`);
  }
  // the JSON docker sends: Subnet, IPRange, Gateway, AuxiliaryAddresses, empty ones left out
  const config = [...bySubnet.values()].map((c) => ({
    Subnet: c.Subnet,
    ...(c.IPRange ? { IPRange: c.IPRange } : {}),
    ...(c.Gateway ? { Gateway: c.Gateway } : {}),
    ...(c.AuxiliaryAddresses ? { AuxiliaryAddresses: c.AuxiliaryAddresses } : {}),
  }));
  return { Driver: o.driver, Options: o.options, Config: config };
}
