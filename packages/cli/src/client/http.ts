/**
 * One HTTP request to the daemon over a unix socket, TCP, or TCP with TLS
 * (node:http and node:https; the Engine API needs nothing more). Connection
 * failures become docker's "Cannot connect" error, wrapped as Unavailable.
 */
import http from 'node:http';
import https from 'node:https';
import { unavailable } from '@berth/errors';
import type { Endpoint } from './host.js';
import { tlsConnectError } from './tls-errors.js';

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

/** `request` names the request (method and path) for docker's TLS errors, which show its https URL. */
export function connectError(ep: Endpoint, err: NodeJS.ErrnoException, request?: { method: string; path: string }): Error {
  if (ep.kind === 'tcp' && ep.tls && err.code !== 'ECONNREFUSED') {
    const shown = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
    const tlsError = tlsConnectError(`https://${shown}:${ep.port}${request?.path ?? '/'}`, request?.method ?? 'GET', err);
    if (tlsError) return tlsError;
  }
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return unavailable(`permission denied while trying to connect to the berth daemon socket at ${ep.url}: ${err.message}`, err);
  }
  if (err.code && unreachable.has(err.code)) {
    return unavailable(`Cannot connect to the berth daemon at ${ep.url}. Is the berth daemon running?`, err);
  }
  return unavailable(`error during connect: ${err.message}`, err);
}

/** The request function and connection options for `ep`: every request to the daemon goes through this. */
export function transport(ep: Endpoint): { request: typeof http.request; target: http.RequestOptions } {
  if (ep.kind === 'unix') return { request: http.request, target: { socketPath: ep.socketPath, host: 'api.moby.localhost' } };
  if (!ep.tls) return { request: http.request, target: { host: ep.host, port: ep.port } };
  const { ca, cert, key, verify } = ep.tls;
  const target: https.RequestOptions = { host: ep.host, port: ep.port, ca, cert, key, rejectUnauthorized: verify, minVersion: 'TLSv1.2' };
  return { request: https.request, target };
}

export function request(ep: Endpoint, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const payload = opts.raw ?? (opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body)));
  const headers: http.OutgoingHttpHeaders = { 'User-Agent': 'Berth-Client/0.1.0 (linux)' };
  if (payload) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    headers['Content-Length'] = payload.length;
  }
  const { request: send, target } = transport(ep);
  return new Promise((resolve, reject) => {
    const req = send({ ...target, path, method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => reject(connectError(ep, err, { method: opts.method ?? 'GET', path })));
    req.end(payload);
  });
}
