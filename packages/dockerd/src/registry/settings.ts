/**
 * The daemon's registry settings (dockerd's --insecure-registry and
 * --registry-mirror), set once at start: which registries are reached over
 * plain HTTP besides loopback ones (a host[:port] as written, or a CIDR
 * holding the registry's IP), and the mirrors tried first for docker.io.
 */
import net from 'node:net';
import { invalidArgument } from '@berth/errors';
import { contains, parseSubnet } from '../network/cidr.js';

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

/** The name or IP of `host:port` (`[v6]:port` too). */
const hostName = (host: string): string => (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0] ?? '');

function inCidr(ip: string, cidr: string): boolean {
  if (!net.isIPv4(ip)) return false;
  try {
    return contains(parseSubnet(cidr), ip);
  } catch {
    return false; // not an IPv4 CIDR: it names no registry
  }
}

/** `host` as in a reference: name or IP, with the port when there is one. */
export function isInsecureRegistry(host: string): boolean {
  return current.insecure.some((entry) => (entry.includes('/') ? inCidr(hostName(host), entry) : entry === host));
}

/** localhost, 127.0.0.0/8, ::1: registries docker reaches over plain HTTP without being told. */
export function isLoopbackRegistry(host: string): boolean {
  const name = hostName(host);
  return name === 'localhost' || name === '::1' || /^127\./.test(name);
}

/** Whether plain HTTP (and credentials sent over it) is allowed for `host`: loopback or --insecure-registry. */
export function plainHttpAllowed(host: string): boolean {
  return isLoopbackRegistry(host) || isInsecureRegistry(host);
}
