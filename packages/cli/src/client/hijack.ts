/**
 * The Engine API's hijacked connections (attach, exec start): a POST with
 * `Connection: Upgrade` and `Upgrade: tcp`, answered by `101 UPGRADED`, after
 * which the socket carries the container's raw stdio both ways (stdcopy
 * frames from the daemon when there is no TTY). A daemon that answers with an
 * ordinary response instead (an error, or an old 200 without upgrade) is
 * handled: errors become docker's "Error response from daemon".
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiClient } from './api.js';
import { apiError } from './api.js';
import { connectError, transport } from './http.js';

export interface Hijacked {
  /** The raw connection: read the container's output, write its stdin. */
  socket: Duplex;
  /** Bytes that arrived with the 101 response, before `socket` sees data. */
  head: Buffer;
}

export async function hijack(api: ApiClient, path: string, body?: unknown): Promise<Hijacked> {
  const v = await api.apiVersion();
  const ep = api.endpoint;
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers: http.OutgoingHttpHeaders = { 'User-Agent': 'Berth-Client/0.1.0 (linux)', Connection: 'Upgrade', Upgrade: 'tcp' };
  if (payload) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = payload.length;
  }
  const { request: send, target } = transport(ep);
  return new Promise((resolve, reject) => {
    const req = send({ ...target, path: `/v${v}${path}`, method: 'POST', headers, agent: false });
    req.on('upgrade', (_res, socket, head) => {
      socket.setTimeout(0);
      resolve({ socket, head });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 400) reject(apiError(res.statusCode ?? 0, text));
        else reject(new Error(`the daemon did not upgrade the connection (status ${res.statusCode ?? 0})`));
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(connectError(ep, err, { method: 'POST', path: `/v${v}${path}` })));
    req.end(payload);
  });
}
