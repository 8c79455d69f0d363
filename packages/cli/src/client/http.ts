/**
 * One HTTP request to the daemon over a unix socket or TCP (node:http; the
 * Engine API needs nothing more). Connection failures become docker's
 * "Cannot connect" error, wrapped as Unavailable.
 */
import http from 'node:http';
import { unavailable } from '@berth/errors';
import type { Endpoint } from './host.js';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  timeoutMs?: number;
  /** A raw body (e.g. a tar), sent with `contentType`. */
  raw?: Buffer;
  contentType?: string;
}

const unreachable = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOTSOCK']);

export function connectError(ep: Endpoint, err: NodeJS.ErrnoException): Error {
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return unavailable(`permission denied while trying to connect to the berth daemon socket at ${ep.url}: ${err.message}`, err);
  }
  if (err.code && unreachable.has(err.code)) {
    return unavailable(`Cannot connect to the berth daemon at ${ep.url}. Is the berth daemon running?`, err);
  }
  return unavailable(`error during connect: ${err.message}`, err);
}

export function request(ep: Endpoint, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body)));
  const headers: http.OutgoingHttpHeaders = { 'User-Agent': 'Berth-Client/0.1.0 (linux)' };
  if (payload) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    headers['Content-Length'] = payload.length;
  }
  const target = ep.kind === 'unix' ? { socketPath: ep.socketPath, host: 'api.moby.localhost' } : { host: ep.host, port: ep.port };
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target, path, method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => reject(connectError(ep, err)));
    req.end(payload);
  });
}
