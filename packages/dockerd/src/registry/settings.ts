/**
 * The daemon's registry settings (dockerd's --insecure-registry and
 * --registry-mirror), set once at start: which registries are reached over
 * plain HTTP besides loopback ones (a host[:port] as written, or a CIDR
 * holding the registry's IP), and the mirrors tried first for docker.io.
 */
import net from 'node:net';
import { invalidArgument } from '@berth/errors';

export interface RegistrySettings {
  insecure: string[];
  mirrors: string[];
}

let current: RegistrySettings = { insecure: [], mirrors: [] };

export function setRegistrySettings(s: RegistrySettings): void {
  current = { insecure: [...s.insecure], mirrors: s.mirrors.map(normalizeMirror) };
}

export function registrySettings(): RegistrySettings {
  return current;
}

/** docker's form: scheme://host[:port]/ (a trailing slash, no path). */
export function normalizeMirror(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalidArgument(`invalid mirror: "${raw}" is not a valid URI`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalidArgument(`invalid mirror: unsupported scheme "${u.protocol.slice(0, -1)}" in "${raw}"`);
  if (u.pathname !== '/' && u.pathname !== '') throw invalidArgument(`invalid mirror: path, query, or fragment at end of the URI "${raw}"`);
  return `${u.protocol}//${u.host}/`;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  if (!net.isIPv4(ip) || !net.isIPv4(base) || !(bits >= 0 && bits <= 32)) return false;
  const n = (a: string) => a.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((n(ip) & mask) >>> 0) === ((n(base) & mask) >>> 0);
}

/** `host` as in a reference: name or IP, with the port when there is one. */
export function isInsecureRegistry(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0] ?? '';
  return current.insecure.some((entry) => (entry.includes('/') ? inCidr(name, entry) : entry === host));
}

/** localhost, 127.0.0.0/8, ::1: registries docker reaches over plain HTTP without being told. */
export function isLoopbackRegistry(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0] ?? '';
  return name === 'localhost' || name === '::1' || /^127\./.test(name);
}

/** Whether plain HTTP (and credentials sent over it) is allowed for `host`: loopback or --insecure-registry. */
export function plainHttpAllowed(host: string): boolean {
  return isLoopbackRegistry(host) || isInsecureRegistry(host);
}
