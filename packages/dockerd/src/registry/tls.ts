/**
 * HTTPS to registries with docker's per-registry trust: the system CAs plus,
 * for a registry host[:port], the files of <certs.d>/<host[:port]>/ laid out
 * as docker's /etc/docker/certs.d: `*.crt` are CAs, `name.cert` + `name.key`
 * a client certificate. The directory is /etc/berth/certs.d, or
 * $BERTH_CERTS_D. It is read at every request (a few small files), so a CA
 * added while berthd runs is used by the next pull, as docker does; the
 * connection pool is kept while the files stay the same.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { Agent, type Dispatcher } from 'undici';
import { invalidArgument } from '@berth/errors';
import { isInsecureRegistry } from './settings.js';

export const defaultCertsDir = '/etc/berth/certs.d';

export function certsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_CERTS_D || defaultCertsDir;
}

export interface HostTls {
  /** PEM CA certificates, added to the system's. */
  ca: string[];
  cert?: string;
  key?: string;
}

/**
 * What <dir>/<host>/ holds for `host` (as in the URL: host[:port]), or
 * undefined when there is no such directory. A .cert without its .key (or
 * the reverse) is refused in docker's words.
 */
export function readHostTls(host: string, dir = certsDir()): HostTls | undefined {
  const hostDir = path.join(dir, host);
  let names: string[];
  try {
    names = fs.readdirSync(hostDir).sort();
  } catch {
    return undefined;
  }
  const out: HostTls = { ca: [] };
  const read = (n: string) => fs.readFileSync(path.join(hostDir, n), 'utf8');
  for (const n of names) {
    if (n.endsWith('.crt')) out.ca.push(read(n));
    else if (n.endsWith('.cert')) {
      const key = `${n.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(key)) throw invalidArgument(`missing key ${key} for client certificate ${n}. CA certificates must use the extension .crt`);
      out.cert = read(n);
      out.key = read(key);
    } else if (n.endsWith('.key') && !names.includes(`${n.slice(0, -'.key'.length)}.cert`)) {
      throw invalidArgument(`missing client certificate ${n.slice(0, -'.key'.length)}.cert for key ${n}`);
    }
  }
  return out;
}

/** The system's trust store (and NODE_EXTRA_CA_CERTS): what every registry is checked against. */
const systemCas = (): string[] => tls.getCACertificates?.('default') ?? [...tls.rootCertificates];

const agents = new Map<string, { digest: string; agent: Agent }>();

/**
 * The dispatcher for `host`'s HTTPS connections, or undefined for the
 * default (system CAs only). `verify` false (an --insecure-registry) accepts
 * any server certificate, as docker's InsecureSkipVerify; a client
 * certificate of certs.d is still presented.
 */
export function dispatcherFor(host: string, verify = true, dir = certsDir()): Dispatcher | undefined {
  const conf = readHostTls(host, dir) ?? { ca: [] };
  if (verify && conf.ca.length === 0 && !conf.cert) return undefined;
  const digest = createHash('sha256').update(JSON.stringify({ conf, verify })).digest('hex');
  const cached = agents.get(host);
  if (cached?.digest === digest) return cached.agent;
  const agent = new Agent({
    connect: {
      ca: [...systemCas(), ...conf.ca],
      ...(conf.cert && conf.key ? { cert: conf.cert, key: conf.key } : {}),
      ...(verify ? {} : { rejectUnauthorized: false }),
    },
  });
  agents.set(host, { digest, agent });
  // the files changed: requests under way finish on the old pool, then it closes
  if (cached) void cached.agent.close().catch(() => undefined);
  return agent;
}

/** fetch() with the registry trust of the URL's host for https: URLs. */
export function registryFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const u = typeof url === 'string' ? new URL(url) : url;
  const dispatcher = u.protocol === 'https:' ? dispatcherFor(u.host, !isInsecureRegistry(u.host)) : undefined;
  // undici's Agent serves Node's own fetch (the same dispatcher interface)
  return fetch(u, dispatcher ? ({ ...init, dispatcher } as RequestInit) : init);
}
