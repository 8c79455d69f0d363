/**
 * berthd's -H addresses, parsed as dockerd parses them, and the rule dockerd
 * 20.10+ applies to tcp: serving the API on tcp without client certificates
 * gives root on this machine to whoever reaches the port. dockerd warns, sleeps
 * and goes on (an announced deprecation); berthd goes the announced way and
 * refuses a non-loopback address unless the operator said so explicitly with
 * --tls=false or --tlsverify=false (dockerd's override). Loopback is allowed
 * with dockerd's warning. All of this is decided before anything is bound.
 */
import dns from 'node:dns';
import net from 'node:net';
import { invalidArgument } from '@berth/errors';
import type { Logger } from '@berth/containerd/log';
import type { Flags } from '../flags.js';
import { activatedFds, selectFds } from './tcp-activation.js';
import { serverTls, type ServerTls } from './tls-config.js';

/** dockerd's defaults for tcp://[host][:port]; the host is loopback when left out. */
const defaultTcpHost = '127.0.0.1';
const defaultTcpPort = 2375;

export type ListenAddress =
  | { kind: 'unix'; host: string; path: string }
  | { kind: 'tcp'; host: string; address: string; port: number }
  /** fd: one systemd-activated socket (3, 4, ...), or all of them when undefined. */
  | { kind: 'fd'; host: string; fd: number | undefined };

export function parseListenHost(raw: string): ListenAddress {
  const host = raw.trim();
  // a bare absolute path is a unix socket (berthd always took that form)
  if (host.startsWith('/')) return { kind: 'unix', host: `unix://${host}`, path: host };
  const sep = host.indexOf('://');
  // dockerd: no scheme means tcp
  const proto = sep < 0 ? 'tcp' : host.slice(0, sep);
  const rest = sep < 0 ? host : host.slice(sep + 3);
  switch (proto) {
    case 'unix':
      if (rest === '') throw invalidArgument(`invalid bind address (${raw}): empty socket path`);
      return { kind: 'unix', host: `unix://${rest}`, path: rest };
    case 'tcp':
      return parseTcp(raw, rest);
    case 'fd': {
      if (rest === '' || rest === '*') return { kind: 'fd', host: 'fd://', fd: undefined };
      if (!/^\d+$/.test(rest)) throw invalidArgument(`failed to parse systemd fd address: should be a number: ${rest}`);
      return { kind: 'fd', host: `fd://${rest}`, fd: Number(rest) };
    }
    default:
      throw invalidArgument(`invalid bind address (${raw}): unsupported proto '${proto}'`);
  }
}

function parseTcp(raw: string, rest: string): ListenAddress {
  const slash = rest.indexOf('/');
  if (slash >= 0 && rest.slice(slash) !== '/') throw invalidArgument(`invalid bind address (${raw}): no path allowed`);
  const hostPort = slash >= 0 ? rest.slice(0, slash) : rest;
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (!m) throw invalidArgument(`invalid bind address (${raw})`);
  const address = (m[1] ?? '').replace(/^\[|\]$/g, '') || defaultTcpHost;
  const port = m[2] ? Number(m[2]) : defaultTcpPort;
  if (port > 65535) throw invalidArgument(`invalid bind address (${raw}): invalid port`);
  const shown = address.includes(':') ? `[${address}]` : address;
  return { kind: 'tcp', host: `tcp://${shown}:${port}`, address, port };
}

/** Whether a listen address only answers this machine (names are resolved, as dockerd does). */
export async function isLoopback(address: string): Promise<boolean> {
  if (address === 'localhost') return true;
  let ip = address;
  if (net.isIP(ip) === 0) {
    try {
      ip = (await dns.promises.lookup(address)).address;
    } catch {
      return false;
    }
  }
  if (net.isIPv4(ip)) return ip.startsWith('127.');
  return ip === '::1' || ip.startsWith('::ffff:127.');
}

export interface ListenPlan {
  /** What to serve; every fd:// is resolved to the activated fds it stands for. */
  addresses: ListenAddress[];
  /** The TLS of tcp:// and fd:// listeners (unix sockets never use TLS, as in dockerd). */
  tls: ServerTls | undefined;
}

export async function planListeners(flags: Flags, log: Logger): Promise<ListenPlan> {
  const addresses = flags.hosts.map(parseListenHost).flatMap((a): ListenAddress[] =>
    a.kind === 'fd' ? selectFds(activatedFds(), a.fd).map((fd) => ({ kind: 'fd', host: `fd://${fd}`, fd })) : [a]);
  const tls = serverTls(flags);
  // dockerd's explicit intent to serve without client certificates
  const forced = flags.tls === false || flags.tlsVerify === false;
  for (const a of addresses) {
    if (a.kind !== 'tcp' || tls?.verify === true) continue;
    log.warn('Binding to IP address without --tlsverify is insecure and gives root access on this machine to everyone who has access to your network.', { host: a.host });
    log.warn('Binding to an IP address, even on localhost, can also give access to scripts run in a browser. Be safe out there!', { host: a.host });
    if (forced || await isLoopback(a.address)) continue;
    throw invalidArgument(
      `refusing to listen on ${a.host} without --tlsverify: anyone who can reach it gets root on this machine; ` +
      'give --tlsverify with --tlscacert, --tlscert and --tlskey, or force it with --tls=false (or --tlsverify=false)',
    );
  }
  return { addresses, tls };
}
