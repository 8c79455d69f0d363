/**
 * Where the daemon is: -H/--host, else BERTH_HOST, else DOCKER_HOST, else
 * berthd's socket. Addresses take docker's forms: unix:///path, tcp://host:port
 * (port 2375 when left out, as docker's client does without TLS), http://
 * as a synonym for tcp://, and a bare host:port meaning tcp (docker's ParseHost).
 */
import { invalidArgument } from '@berth/errors';
import type { ClientTls } from './tls.js';

export const DEFAULT_HOST = 'unix:///run/berth/berthd.sock';
const DEFAULT_TCP_PORT = 2375;

export type Endpoint =
  | { kind: 'unix'; socketPath: string; url: string }
  /** tcp with `tls` is https (docker's --tls/--tlsverify); the url stays tcp://, as docker shows it. */
  | { kind: 'tcp'; host: string; port: number; url: string; tls?: ClientTls };

export interface HostSources {
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** The host string to use, by docker's precedence with BERTH_HOST ahead of DOCKER_HOST. */
export function chooseHost({ flag, env }: HostSources): string {
  for (const h of [flag, env.BERTH_HOST, env.DOCKER_HOST]) if (h && h.trim()) return h.trim();
  return DEFAULT_HOST;
}

export function parseHost(raw: string): Endpoint {
  const sep = raw.indexOf('://');
  const scheme = sep < 0 ? 'tcp' : raw.slice(0, sep).toLowerCase();
  const rest = sep < 0 ? raw : raw.slice(sep + 3);
  if (scheme === 'unix') {
    const socketPath = rest || DEFAULT_HOST.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw invalidArgument(`unable to parse berth host \`${raw}\`: socket path must be absolute`);
    return { kind: 'unix', socketPath, url: `unix://${socketPath}` };
  }
  if (scheme === 'tcp' || scheme === 'http') {
    let hostPort = rest;
    const slash = hostPort.indexOf('/');
    if (slash >= 0) {
      if (hostPort.slice(slash) !== '/') throw invalidArgument(`unable to parse berth host \`${raw}\`: no path allowed`);
      hostPort = hostPort.slice(0, slash);
    }
    const m = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    if (!m) throw invalidArgument(`unable to parse berth host \`${raw}\``);
    const host = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
    const port = m[2] ? Number(m[2]) : DEFAULT_TCP_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument(`unable to parse berth host \`${raw}\`: invalid port`);
    const shown = host.includes(':') ? `[${host}]` : host;
    return { kind: 'tcp', host, port, url: `tcp://${shown}:${port}` };
  }
  throw invalidArgument(`unable to parse berth host \`${raw}\`: unsupported scheme ${JSON.stringify(scheme)} (use unix:// or tcp://)`);
}
