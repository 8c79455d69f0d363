/**
 * The userland proxy (what docker-proxy does, inside berthd): a listener on
 * the published host port that forwards each TCP connection, or each UDP
 * client's datagrams, to the container's address. It serves what iptables
 * cannot DNAT (connections to 127.0.0.1), and holding the port is also how a
 * published port is reserved: a port in use fails here, before any rule.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Proto } from './ports.js';

export interface Proxy {
  close(): void;
}

const udpIdleMs = 90_000;

/**
 * Joins an accepted connection to its upstream, one direction per pipe. Both
 * sockets are half-open: a client that sends its request and shuts down its
 * write side (nc -N, HTTP/1.0, shutdown(SHUT_WR)) must still read the answer,
 * so an EOF on one side only ends the other side's write (pipe's end()), it
 * closes nothing. The pair is torn down when both directions have finished
 * (each side's write flushed and ended), or at once when either side fails.
 */
function splice(client: net.Socket, upstream: net.Socket, live: Set<net.Socket>): void {
  const both = [client, upstream];
  const teardown = () => { for (const s of both) { s.destroy(); live.delete(s); } };
  let directions = 2;
  for (const s of both) {
    live.add(s);
    // 'finish' on a writable side means the other side's EOF has been passed on.
    s.on('finish', () => { if (--directions === 0) teardown(); });
    s.on('error', teardown);
    s.on('close', () => live.delete(s));
  }
  client.pipe(upstream);
  upstream.pipe(client);
}

function tcpProxy(hostIp: string, hostPort: number, ctrIp: string, ctrPort: number): Promise<Proxy> {
  const live = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    splice(client, net.connect({ host: ctrIp, port: ctrPort, allowHalfOpen: true }), live);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: hostIp || '0.0.0.0', port: hostPort, exclusive: true }, () => {
      server.off('error', reject);
      // An accept error (EMFILE...) must not take berthd down; the next accept may work.
      server.on('error', () => undefined);
      resolve({ close: () => { server.close(); for (const s of live) s.destroy(); live.clear(); } });
    });
  });
}

function udpProxy(hostIp: string, hostPort: number, ctrIp: string, ctrPort: number): Promise<Proxy> {
  // One upstream socket per client address, so replies find their way back;
  // dropped after an idle time since UDP has no close.
  const front = dgram.createSocket('udp4');
  const clients = new Map<string, { sock: dgram.Socket; timer?: NodeJS.Timeout }>();
  const drop = (key: string) => {
    const c = clients.get(key);
    if (!c) return;
    clients.delete(key);
    clearTimeout(c.timer);
    c.sock.close();
  };
  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let c = clients.get(key);
    if (!c) {
      const sock = dgram.createSocket('udp4');
      sock.on('message', (reply) => front.send(reply, from.port, from.address));
      // Dropped from the map first, so nothing sends on or closes it again.
      sock.on('error', () => drop(key));
      c = { sock };
      clients.set(key, c);
    }
    clearTimeout(c.timer);
    c.timer = setTimeout(() => drop(key), udpIdleMs);
    c.timer.unref();
    c.sock.send(msg, ctrPort, ctrIp);
  });
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind({ address: hostIp || '0.0.0.0', port: hostPort, exclusive: true }, () => {
      front.off('error', reject);
      // A failed send back to a client is that datagram lost, as UDP allows.
      front.on('error', () => undefined);
      resolve({
        close: () => {
          front.close();
          for (const key of [...clients.keys()]) drop(key);
        },
      });
    });
  });
}

export function startProxy(proto: Proto, hostIp: string, hostPort: number, ctrIp: string, ctrPort: number): Promise<Proxy> {
  return proto === 'tcp' ? tcpProxy(hostIp, hostPort, ctrIp, ctrPort) : udpProxy(hostIp, hostPort, ctrIp, ctrPort);
}
