/**
 * Streaming requests for the commands whose answers are long (pull and import
 * progress, save's tar): the response body as a stream instead of a buffer,
 * with the same version prefix, connect errors and "Error response from
 * daemon" errors as ApiClient.send.
 */
import http from 'node:http';
import type { Readable } from 'node:stream';
import { apiError, type ApiClient } from '../client/api.js';
import { connectError, transport } from '../client/http.js';

export interface StreamOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A body to stream (a file or stdin). */
  body?: Readable;
}

export async function openStream(api: ApiClient, path: string, o: StreamOptions = {}): Promise<http.IncomingMessage> {
  const v = await api.apiVersion();
  const ep = api.endpoint;
  const { request: send, target } = transport(ep);
  const headers: http.OutgoingHttpHeaders = { 'User-Agent': 'Berth-Client/0.1.0 (linux)', ...o.headers };
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = send({ ...target, path: `/v${v}${path}`, method: o.method ?? 'GET', headers, agent: false }, resolve);
    req.on('error', (err: NodeJS.ErrnoException) => reject(connectError(ep, err, { method: o.method ?? 'GET', path: `/v${v}${path}` })));
    if (o.body) o.body.pipe(req);
    else req.end();
  });
  if ((res.statusCode ?? 0) >= 400) {
    const parts: Buffer[] = [];
    for await (const c of res) parts.push(c as Buffer);
    throw apiError(res.statusCode ?? 500, Buffer.concat(parts).toString('utf8'));
  }
  return res;
}

/** The JSON messages of a progress stream, one per line as they arrive. */
export async function* jsonMessages(res: Readable): AsyncIterable<Record<string, unknown>> {
  let buf = '';
  for await (const chunk of res) {
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as Record<string, unknown>;
    }
  }
  if (buf.trim()) yield JSON.parse(buf) as Record<string, unknown>;
}
