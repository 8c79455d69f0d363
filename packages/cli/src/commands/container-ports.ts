/**
 * docker's -p/--publish and --expose (go-connections' nat.ParsePortSpecs):
 * `[ip:][hostPort:]containerPort[/proto]`, with ranges (`8000-8001:80-81`);
 * the exposed ports of Config and the PortBindings of HostConfig.
 */
import { FlagError } from './container-create-config.js';

export interface PortConfig {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
}

function range(s: string, what: 'containerPort' | 'hostPort' | 'port'): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new FlagError(what === 'port' ? `invalid range format for --expose: ${s}` : `invalid ${what}: ${s}`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (end < start) throw new FlagError(`invalid range specified for port: ${s}`);
  return [start, end];
}

export function parsePorts(publish: string[] = [], expose: string[] = []): PortConfig {
  const out: PortConfig = { exposed: {}, bindings: {} };
  for (const spec of publish) {
    let rest = spec;
    let proto = 'tcp';
    const slash = rest.lastIndexOf('/');
    if (slash >= 0) {
      proto = rest.slice(slash + 1).toLowerCase();
      rest = rest.slice(0, slash);
    }
    // an IPv6 host address comes in brackets
    let ip = '';
    const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
    if (v6) {
      ip = v6[1] ?? '';
      rest = v6[2] ?? '';
    }
    const parts = rest.split(':');
    if (parts.length > 3 || (v6 && parts.length > 2)) throw new FlagError(`invalid port format for --publish: ${spec}`);
    const containerPart = parts.pop() ?? '';
    const hostPart = parts.pop() ?? '';
    if (!v6 && parts.length) ip = parts.pop() ?? '';
    if (!containerPart) throw new FlagError(`no port specified: ${spec}<empty>`);
    const [hStart, hEnd] = hostPart ? range(hostPart, 'hostPort') : [0, 0];
    const [cStart, cEnd] = range(containerPart, 'containerPort');
    if (hostPart && hEnd - hStart !== cEnd - cStart && hStart !== hEnd) {
      throw new FlagError(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
    }
    for (let p = cStart; p <= cEnd; p++) {
      const key = `${p}/${proto}`;
      out.exposed[key] = {};
      const hostPort = !hostPart ? '' : hStart === hEnd ? String(hStart) : String(hStart + (p - cStart));
      (out.bindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
    }
  }
  for (const spec of expose) {
    const [ports = '', proto = 'tcp'] = spec.split('/');
    const [start, end] = range(ports, 'port');
    for (let p = start; p <= end; p++) out.exposed[`${p}/${proto}`] = {};
  }
  return out;
}
