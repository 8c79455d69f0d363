/**
 * A TLS listener that answers a plain-HTTP client the way Go's server (so
 * dockerd) does: with "400 Client sent an HTTP request to an HTTPS server."
 * instead of a bare reset. A raw net.Server accepts; the first byte tells a TLS
 * handshake (record type 22) from anything else; handshakes go on to the
 * https.Server, which never listens itself (node:tls reads the bytes already
 * taken off the socket). The raw sockets are kept so close() can end them all.
 */
import net from 'node:net';
import type https from 'node:https';

const tlsHandshake = 0x16;
const plainAnswer = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

export interface TlsFront {
  /** The listener to bind (net.Server.listen: a tcp address or an fd). */
  raw: net.Server;
  close(): Promise<void>;
}

export function tlsFront(server: https.Server): TlsFront {
  const open = new Set<net.Socket>();
  // half-open as http.Server's own sockets: docker half-closes a hijacked
  // connection when stdin ends (close_notify over TLS) and still reads the output
  const raw = net.createServer({ allowHalfOpen: true }, (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first[0] !== tlsHandshake) {
        socket.end(plainAnswer);
        return;
      }
      socket.unshift(first);
      server.emit('connection', socket);
    });
  });
  return {
    raw,
    close: () => new Promise<void>((resolve) => {
      raw.close(() => resolve());
      for (const s of open) s.destroy();
    }),
  };
}
