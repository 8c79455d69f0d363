/**
 * Attach and exec streams (docker's "hijack"): a request with
 * `Connection: Upgrade, Upgrade: tcp` is answered "101 UPGRADED" and the raw
 * connection then carries stdin one way and output the other. Node hands such
 * requests to the server's 'upgrade' event, not to express; routeUpgrade gives
 * them a response object on the raw socket so they still go through the
 * routers (version prefix, errors), and the handler takes the socket over.
 * Without Upgrade, the same endpoints answer 200 and stream the output only.
 */
import http from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Request, Response } from 'express';

export interface HijackedStream {
  input: Readable;
  output: Writable;
  /** Ends the output and closes the connection. */
  close(): void;
  onClose(fn: () => void): void;
}

export const rawStream = 'application/vnd.docker.raw-stream';
export const multiplexedStream = 'application/vnd.docker.multiplexed-stream';

export function isUpgrade(req: Request): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'tcp' || (req.headers.connection ?? '').toLowerCase().includes('upgrade');
}

export function hijack(req: Request, res: Response, contentType: string): HijackedStream {
  if (isUpgrade(req) && (req as Request & { berthUpgraded?: boolean }).berthUpgraded) {
    const socket = req.socket;
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    socket.setNoDelay?.(true);
    return {
      input: socket,
      output: socket,
      close: () => socket.end(),
      onClose: (fn) => socket.once('close', fn),
    };
  }
  res.status(200).setHeader('Content-Type', contentType);
  res.flushHeaders();
  return {
    input: req,
    output: res,
    close: () => res.end(),
    onClose: (fn) => res.once('close', fn),
  };
}

/** Wires the server's 'upgrade' event to the express app; the result ends every taken-over connection (at shutdown). */
export function routeUpgrade(server: http.Server, app: (req: http.IncomingMessage, res: http.ServerResponse) => void): () => void {
  const open = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    // Node leaves an upgraded request's body on the socket: take Content-Length bytes
    // of it for the request (exec start's JSON), the rest is the client's stdin.
    const want = Number(req.headers['content-length'] ?? 0) || 0;
    let body = head;
    const dispatch = () => {
      const extra = body.subarray(want);
      if (extra.length > 0) socket.unshift(extra);
      const r = req as http.IncomingMessage & { berthUpgraded?: boolean; berthBody?: Buffer };
      r.berthUpgraded = true;
      r.berthBody = Buffer.from(body.subarray(0, want));
      const res = new http.ServerResponse(req);
      res.assignSocket(socket as import('node:net').Socket);
      // an answer that is not a takeover (an error) ends the connection
      res.on('finish', () => socket.end());
      app(req, res);
    };
    if (body.length >= want) return dispatch();
    const onData = (chunk: Buffer) => {
      body = Buffer.concat([body, chunk]);
      if (body.length < want) return;
      socket.off('data', onData);
      socket.pause();
      dispatch();
    };
    socket.on('data', onData);
  });
  return () => {
    for (const s of open) s.destroy();
  };
}
