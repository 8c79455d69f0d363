import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type Proxy } from './proxy.js';

// Real sockets on loopback only: a real upstream server, the proxy in front of
// it, and a real client, so the test sees what a published port's user sees.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A TCP server on 127.0.0.1:0 whose connection handler the test supplies. */
async function tcpServer(onConn: (s: net.Socket) => void): Promise<number> {
  // Half-open so that a server can answer after the client's FIN.
  const server = net.createServer({ allowHalfOpen: true }, onConn);
  const conns = new Set<net.Socket>();
  server.on('connection', (s) => {
    conns.add(s);
    s.on('close', () => conns.delete(s));
    s.on('error', () => undefined); // a reset shows up in the client's assertions
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => { server.close(); for (const s of conns) s.destroy(); });
  return (server.address() as net.AddressInfo).port;
}

/** A port that was free a moment ago (the proxy wants a fixed host port). */
async function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  if (kind === 'tcp') {
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return port;
  }
  const u = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => u.bind(0, '127.0.0.1', resolve));
  const port = u.address().port;
  await new Promise<void>((resolve) => u.close(resolve));
  return port;
}

async function proxyTo(proto: 'tcp' | 'udp', ctrPort: number): Promise<[Proxy, number]> {
  const port = await freePort(proto);
  const p = await startProxy(proto, '127.0.0.1', port, '127.0.0.1', ctrPort);
  cleanups.push(() => p.close());
  return [p, port];
}

/** Connects, sends `data`, half-closes, and resolves with all it reads until EOF. */
function request(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const c = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    cleanups.push(() => c.destroy());
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('end', () => { c.end(); resolve(Buffer.concat(chunks)); });
    c.on('error', reject);
    c.end(data);
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('userland proxy, TCP', () => {
  it('answers a client that half-closed after its request', async () => {
    // The upstream only replies once it has read the whole request (EOF),
    // as an HTTP/1.0 server or `nc -N` peer would.
    const upstream = await tcpServer((s) => {
      const got: Buffer[] = [];
      s.on('data', (d: Buffer) => got.push(d));
      s.on('end', () => s.end(`got ${Buffer.concat(got).toString()}`));
    });
    const [, port] = await proxyTo('tcp', upstream);
    const reply = await request(port, Buffer.from('hello'));
    expect(reply.toString()).toBe('got hello');
  });

  it('carries 8 MiB each way intact', async () => {
    // An echo that keeps echoing after the client's FIN and ends when done.
    const upstream = await tcpServer((s) => s.pipe(s));
    const [, port] = await proxyTo('tcp', upstream);
    const data = randomBytes(8 << 20);
    const reply = await request(port, data);
    expect(reply.length).toBe(data.length);
    expect(sha(reply)).toBe(sha(data));
  });

  it('ends the client when the server closes first, and the server sees the close', async () => {
    let serverClosed!: () => void;
    const closed = new Promise<void>((resolve) => { serverClosed = resolve; });
    const upstream = await tcpServer((s) => {
      s.on('close', serverClosed);
      s.resume();
      s.end('bye'); // the client then closes its side (no half-open client)
    });
    const [, port] = await proxyTo('tcp', upstream);
    const c = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => c.destroy());
    const chunks: Buffer[] = [];
    c.on('data', (d: Buffer) => chunks.push(d));
    await new Promise<void>((resolve, reject) => { c.on('close', () => resolve()); c.on('error', reject); });
    expect(Buffer.concat(chunks).toString()).toBe('bye');
    await closed;
  });

  it('closes the client when the container port refuses', async () => {
    const dead = await freePort('tcp');
    const [, port] = await proxyTo('tcp', dead);
    const c = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => c.destroy());
    c.on('error', () => undefined); // a reset is as good as a FIN here
    await new Promise<void>((resolve) => c.on('close', () => resolve()));
    expect(c.destroyed).toBe(true);
  });

  it('closes its listener and live connections on close()', async () => {
    const upstream = await tcpServer((s) => s.resume()); // never answers
    const [p, port] = await proxyTo('tcp', upstream);
    const live = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => live.destroy());
    live.on('error', () => undefined);
    await new Promise<void>((resolve) => live.on('connect', () => resolve()));
    const liveClosed = new Promise<void>((resolve) => live.on('close', () => resolve()));
    // Let the proxy see the connection before closing it.
    await new Promise((r) => setTimeout(r, 50));
    p.close();
    await liveClosed;
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const c = net.connect({ host: '127.0.0.1', port });
      c.on('connect', () => { c.destroy(); resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' })); });
      c.on('error', resolve);
    });
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('fails with EADDRINUSE on a port already held', async () => {
    const upstream = await tcpServer((s) => s.end());
    await expect(startProxy('tcp', '127.0.0.1', upstream, '127.0.0.1', upstream)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('userland proxy, UDP', () => {
  it('forwards datagrams and their replies, per client', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (m, from) => echo.send(Buffer.concat([Buffer.from('echo '), m]), from.port, from.address));
    await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => echo.close());
    const [, port] = await proxyTo('udp', echo.address().port);

    const ask = async (msg: string): Promise<string> => {
      const c = dgram.createSocket('udp4');
      cleanups.push(() => c.close());
      await new Promise<void>((resolve) => c.bind(0, '127.0.0.1', resolve));
      const got = new Promise<string>((resolve) => c.once('message', (m) => resolve(m.toString())));
      c.send(msg, port, '127.0.0.1');
      return got;
    };
    // Two clients at once: each reply must go back to its own sender.
    expect(await Promise.all([ask('one'), ask('two')])).toEqual(['echo one', 'echo two']);
  });
});
