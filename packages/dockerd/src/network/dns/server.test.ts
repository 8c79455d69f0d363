import dgram from 'node:dgram';
import { promises as dnsp } from 'node:dns';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@berth/containerd/log';
import { EmbeddedDns, type DnsAnswers, type EmbeddedDnsOptions } from './index.js';

// Everything here talks to 127.0.0.1 only: the server under test, the stand-in
// upstream resolvers, and the clients.
const LO = '127.0.0.1';

/** The network's names: what berthd's networks would answer. */
const names: Record<string, string[]> = {
  web: ['10.9.0.2'],
  'web.net1': ['10.9.0.2'],
  db: ['10.9.0.3', '10.9.0.4'],
  many: Array.from({ length: 100 }, (_, i) => `10.9.1.${i + 1}`),
};
const seenClients: string[] = [];
const answers: DnsAnswers = {
  lookup(name, clientIp) {
    seenClients.push(clientIp);
    return names[name];
  },
  reverse(ip) {
    return ip === '10.9.0.2' ? 'web.net1' : undefined;
  },
};

/** A question section for `name` (no compression), as any stub resolver writes it. */
function question(name: string, type: number): Buffer {
  const parts = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(1, 3);
  return Buffer.concat([...parts, tail]);
}

function rawQuery(id: number, name: string, type = 1): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2); // RD
  h.writeUInt16BE(1, 4);
  return Buffer.concat([h, question(name, type)]);
}

/** id, rcode and the A records of a reply (answers must use a pointer owner name, as both servers here do). */
function readReply(b: Buffer): { id: number; rcode: number; addrs: string[] } {
  let off = 12;
  while (b[off] !== 0) off += b[off]! + 1;
  off += 5;
  const addrs: string[] = [];
  for (let i = 0; i < b.readUInt16BE(6); i++) {
    const type = b.readUInt16BE(off + 2);
    const len = b.readUInt16BE(off + 10);
    if (type === 1) addrs.push([...b.subarray(off + 12, off + 12 + len)].join('.'));
    off += 12 + len;
  }
  return { id: b.readUInt16BE(0), rcode: b.readUInt16BE(2) & 0xf, addrs };
}

/**
 * A stand-in for the host's resolver on loopback, UDP and TCP on one port:
 * `upstream.example` has 192.0.2.7, every other name is NXDOMAIN. It keeps the
 * bytes of every query it got.
 */
async function startUpstream(): Promise<{ addr: string; got: Buffer[]; close(): Promise<void> }> {
  const got: Buffer[] = [];
  const answer = (q: Buffer): Buffer => {
    got.push(q);
    let end = 12;
    const labels: string[] = [];
    while (q[end] !== 0) {
      labels.push(q.toString('latin1', end + 1, end + 1 + q[end]!));
      end += q[end]! + 1;
    }
    end += 5;
    const ours = labels.join('.').toLowerCase() === 'upstream.example' && q.readUInt16BE(end - 4) === 1;
    const h = Buffer.from(q.subarray(0, 12));
    h.writeUInt16BE(0x8180 | (ours ? 0 : 3), 2);
    h.writeUInt16BE(ours ? 1 : 0, 6);
    h.writeUInt16BE(0, 8);
    h.writeUInt16BE(0, 10);
    const rr = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7]);
    return Buffer.concat([h, q.subarray(12, end), ...(ours ? [rr] : [])]);
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => udp.send(answer(m), r.port, r.address));
  await new Promise<void>((res) => udp.bind(0, LO, res));
  const port = udp.address().port;
  const tcp = net.createServer((s) => {
    let buf: Buffer = Buffer.alloc(0);
    s.on('error', () => {});
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const a = answer(Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        const len = Buffer.alloc(2);
        len.writeUInt16BE(a.length);
        s.write(Buffer.concat([len, a]));
      }
    });
  });
  await new Promise<void>((res) => tcp.listen(port, LO, res));
  return {
    addr: `${LO}:${port}`,
    got,
    close: async () => {
      await new Promise<void>((res) => udp.close(() => res()));
      await new Promise<void>((res) => tcp.close(() => res()));
    },
  };
}

/** A UDP port that swallows queries: an upstream that never answers. */
async function startSilent(): Promise<{ addr: string; close(): void }> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, LO, res));
  return { addr: `${LO}:${s.address().port}`, close: () => s.close() };
}

/** Sends `queries` on one TCP connection (pipelined) and collects `want` replies, or resolves early when the server closes. */
function tcpExchange(port: number, queries: Buffer[], want: number): Promise<{ replies: Buffer[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, LO);
    const replies: Buffer[] = [];
    let buf: Buffer = Buffer.alloc(0);
    s.on('error', reject);
    s.on('connect', () => {
      for (const q of queries) {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(q.length);
        s.write(Buffer.concat([len, q]));
      }
    });
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(Buffer.from(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length >= want) {
        s.destroy();
        resolve({ replies, closed: false });
      }
    });
    s.on('close', () => resolve({ replies, closed: true }));
  });
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(o: Partial<EmbeddedDnsOptions> = {}): Promise<{ dns: EmbeddedDns; resolver: dnsp.Resolver }> {
  const dns = await EmbeddedDns.start({ address: LO, port: 0, answers, upstreams: [], log: silentLogger, ...o });
  cleanups.push(() => dns.close());
  const resolver = new dnsp.Resolver({ timeout: 4000, tries: 1 });
  resolver.setServers([`${LO}:${dns.port}`]);
  return { dns, resolver };
}

describe('embedded DNS: names of the network', () => {
  it('answers A queries for its names, case-insensitively, with TTL 600', async () => {
    const { resolver } = await start();
    expect(await resolver.resolve4('web', { ttl: true })).toEqual([{ address: '10.9.0.2', ttl: 600 }]);
    expect(await resolver.resolve4('WEB.Net1.')).toEqual(['10.9.0.2']);
    expect((await resolver.resolve4('db')).sort()).toEqual(['10.9.0.3', '10.9.0.4']);
    expect(seenClients).toContain(LO);
  });

  it('answers AAAA for its names with NOERROR and no records, and PTR from reverse()', async () => {
    const { resolver } = await start();
    await expect(resolver.resolve6('web')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolver.resolveTxt('web')).rejects.toMatchObject({ code: 'ENODATA' });
    expect(await resolver.reverse('10.9.0.2')).toEqual(['web.net1']);
  });

  it('truncates a long UDP answer and serves it whole over TCP', async () => {
    const { resolver } = await start();
    // 100 A records do not fit the EDNS0 size c-ares announces: TC, then c-ares retries over TCP.
    expect((await resolver.resolve4('many')).length).toBe(100);
  });

  it('keeps a UDP reply to a client without EDNS0 within 512 bytes, with TC set', async () => {
    const { dns } = await start();
    const c = dgram.createSocket('udp4');
    const reply = await new Promise<Buffer>((res) => {
      c.on('message', (m) => res(m));
      c.send(rawQuery(0x4242, 'many'), dns.port, LO);
    });
    c.close();
    expect(reply.length).toBeLessThanOrEqual(512);
    expect(reply.readUInt16BE(2) & 0x0200).toBe(0x0200);
    const r = readReply(reply);
    expect(r.id).toBe(0x4242);
    expect(r.addrs.length).toBeGreaterThan(0);
    expect(r.addrs.length).toBeLessThan(100);
  });

  it('answers several pipelined queries on one TCP connection', async () => {
    const { dns } = await start();
    const { replies } = await tcpExchange(dns.port, [rawQuery(0x1111, 'web'), rawQuery(0x2222, 'db'), rawQuery(0x3333, 'web', 28)], 3);
    const byId = new Map(replies.map((r) => [readReply(r).id, readReply(r)]));
    expect(byId.get(0x1111)).toEqual({ id: 0x1111, rcode: 0, addrs: ['10.9.0.2'] });
    expect(byId.get(0x2222)?.addrs.sort()).toEqual(['10.9.0.3', '10.9.0.4']);
    expect(byId.get(0x3333)).toEqual({ id: 0x3333, rcode: 0, addrs: [] });
  });
});

describe('embedded DNS: forwarding', () => {
  it('forwards other names to the upstream over UDP and relays its answers', async () => {
    const up = await startUpstream();
    cleanups.push(() => up.close());
    const { resolver } = await start({ upstreams: [up.addr] });
    expect(await resolver.resolve4('upstream.example')).toEqual(['192.0.2.7']);
    await expect(resolver.resolve4('nowhere.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.reverse('10.9.0.99')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('forwards TCP queries over TCP with the bytes unchanged', async () => {
    const up = await startUpstream();
    cleanups.push(() => up.close());
    const { dns } = await start({ upstreams: [up.addr] });
    const q = rawQuery(0xbeef, 'Upstream.Example');
    const { replies } = await tcpExchange(dns.port, [q, rawQuery(0x1234, 'web')], 2);
    const byId = new Map(replies.map((r) => [readReply(r).id, readReply(r)]));
    expect(byId.get(0xbeef)).toEqual({ id: 0xbeef, rcode: 0, addrs: ['192.0.2.7'] });
    expect(byId.get(0x1234)?.addrs).toEqual(['10.9.0.2']);
    expect(up.got.map((b) => b.toString('hex'))).toEqual([q.toString('hex')]);
  });

  it('tries the upstreams in order and answers SERVFAIL when none answers', async () => {
    const silent = await startSilent();
    cleanups.push(() => silent.close());
    const up = await startUpstream();
    cleanups.push(() => up.close());
    const { resolver } = await start({ upstreams: [silent.addr, up.addr], forwardTimeoutMs: 300 });
    let t0 = Date.now();
    expect(await resolver.resolve4('upstream.example')).toEqual(['192.0.2.7']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);

    const lone = await start({ upstreams: [silent.addr], forwardTimeoutMs: 300 });
    t0 = Date.now();
    await expect(lone.resolver.resolve4('upstream.example')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('moves past an upstream whose port is closed without waiting for the timeout', async () => {
    const closed = await startSilent();
    closed.close(); // nothing listens there now: ICMP port unreachable
    const up = await startUpstream();
    cleanups.push(() => up.close());
    const { resolver } = await start({ upstreams: [closed.addr, up.addr], forwardTimeoutMs: 3000 });
    const t0 = Date.now();
    expect(await resolver.resolve4('upstream.example')).toEqual(['192.0.2.7']);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('answers SERVFAIL at once without upstreams', async () => {
    const { resolver } = await start();
    const t0 = Date.now();
    await expect(resolver.resolve4('upstream.example')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('embedded DNS: robustness and lifecycle', () => {
  it('survives garbage on UDP and TCP', async () => {
    const { dns, resolver } = await start();
    const garbage = [
      Buffer.alloc(0),
      Buffer.from([1, 2, 3]),
      Buffer.from('this is not a DNS message at all, just some bytes'),
      Buffer.concat([Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from([0xc0, 12, 0, 1, 0, 1])]), // name pointing at itself
      Buffer.concat([Buffer.from([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]), question('web', 1)]), // a response, not a query
      Buffer.concat([Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1]), question('web', 1)]), // claims a record it lacks
    ];
    const c = dgram.createSocket('udp4');
    for (const g of garbage) await new Promise<void>((res) => c.send(g, dns.port, LO, () => res()));
    c.close();
    for (const g of garbage.slice(1)) {
      const r = await tcpExchange(dns.port, [g], 1);
      expect(r).toEqual({ replies: [], closed: true });
    }
    expect(await resolver.resolve4('web')).toEqual(['10.9.0.2']);
  });

  it('answers SERVFAIL when the answers throw', async () => {
    const { resolver } = await start({ answers: { lookup: () => { throw new Error('boom'); }, reverse: () => undefined } });
    await expect(resolver.resolve4('web')).rejects.toMatchObject({ code: 'ESERVFAIL' });
  });

  it('frees its port on close(), UDP and TCP, with a TCP client still connected', async () => {
    const { dns } = await start();
    const port = dns.port;
    const idle = net.connect(port, LO);
    idle.on('error', () => {});
    await new Promise((res) => idle.once('connect', res));
    const closedByServer = new Promise((res) => idle.once('close', res));
    await dns.close();
    await closedByServer;
    const again = await EmbeddedDns.start({ address: LO, port, answers, upstreams: [], log: silentLogger });
    expect(again.port).toBe(port);
    await again.close();
  });

  it('rejects a malformed upstream and a port in use', async () => {
    await expect(EmbeddedDns.start({ address: LO, port: 0, answers, upstreams: ['not-an-ip'], log: silentLogger })).rejects.toMatchObject({ code: 'InvalidArgument' });
    const { dns } = await start();
    await expect(EmbeddedDns.start({ address: LO, port: dns.port, answers, upstreams: [], log: silentLogger })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
