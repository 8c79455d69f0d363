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

function tcpProxy(hostIp: string, hostPort: number, ctrIp: string, ctrPort: number): Promise<Proxy> {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: ctrIp, port: ctrPort });
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: hostIp || '0.0.0.0', port: hostPort, exclusive: true }, () => {
      server.off('error', reject);
      resolve({ close: () => { server.close(); for (const s of sockets) s.destroy(); } });
    });
  });
}

function udpProxy(hostIp: string, hostPort: number, ctrIp: string, ctrPort: number): Promise<Proxy> {
  const front = dgram.createSocket('udp4');
  const clients = new Map<string, { sock: dgram.Socket; timer: NodeJS.Timeout }>();
  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let c = clients.get(key);
    if (!c) {
      const sock = dgram.createSocket('udp4');
      sock.on('message', (reply) => front.send(reply, from.port, from.address));
      sock.on('error', () => sock.close());
      c = { sock, timer: setTimeout(() => undefined, 0) };
      clients.set(key, c);
    }
    const entry = c;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => { entry.sock.close(); clients.delete(key); }, udpIdleMs);
    entry.timer.unref();
    entry.sock.send(msg, ctrPort, ctrIp);
  });
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind({ address: hostIp || '0.0.0.0', port: hostPort, exclusive: true }, () => {
      front.off('error', reject);
      resolve({
        close: () => {
          front.close();
          for (const c of clients.values()) { clearTimeout(c.timer); c.sock.close(); }
          clients.clear();
        },
      });
    });
  });
}

export function startProxy(proto: Proto, hostIp: string, hostPort: number, ctrIp: string, ctrPort: number): Promise<Proxy> {
  return proto === 'tcp' ? tcpProxy(hostIp, hostPort, ctrIp, ctrPort) : udpProxy(hostIp, hostPort, ctrIp, ctrPort);
}
