/**
 * A request whose response is read as a stream (logs -f, stats, export,
 * archive downloads, pull progress): resolves with the response once its
 * status is known; 4xx/5xx become docker's "Error response from daemon".
 */
import http from 'node:http';
import type { ApiClient } from './api.js';
import { apiError } from './api.js';
import { connectError, transport } from './http.js';

export interface StreamRequest {
  method?: string;
  /** JSON body. */
  body?: unknown;
  /** A raw body (a tar) streamed or sent as is. */
  raw?: Buffer | NodeJS.ReadableStream;
  contentType?: string;
}

export async function openStream(api: ApiClient, path: string, opts: StreamRequest = {}): Promise<http.IncomingMessage> {
  const v = await api.apiVersion();
  const ep = api.endpoint;
  const headers: http.OutgoingHttpHeaders = { 'User-Agent': 'Berth-Client/0.1.0 (linux)' };
  const json = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  if (json) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = json.length;
  } else if (opts.raw) {
    headers['Content-Type'] = opts.contentType ?? 'application/x-tar';
    if (Buffer.isBuffer(opts.raw)) headers['Content-Length'] = opts.raw.length;
  }
  const { request: send, target } = transport(ep);
  return new Promise((resolve, reject) => {
    const req = send({ ...target, path: `/v${v}${path}`, method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      if ((res.statusCode ?? 0) < 400) {
        resolve(res);
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(apiError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(connectError(ep, err, { method: opts.method ?? 'GET', path: `/v${v}${path}` })));
    if (opts.raw && !Buffer.isBuffer(opts.raw)) opts.raw.pipe(req);
    else req.end(json ?? opts.raw);
  });
}
