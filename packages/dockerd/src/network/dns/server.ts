/**
 * berthd's embedded DNS server for one user-defined network, as Docker's: it
 * listens in the host's network namespace on the network's gateway address,
 * UDP and TCP; containers' names, aliases and network-scoped names come from
 * DnsAnswers, everything else goes to the host's resolvers. Nothing thrown in
 * a socket handler escapes: a bad packet or a failing upstream costs one query.
 */
import type dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '@berth/containerd/log';
import { decide, type DnsAnswers } from './answer.js';
import { bindBoth } from './bind.js';
import { buildReply, parseQuery, RCODE_SERVFAIL, type DnsQuery } from './codec.js';
import { Forwarder, parseUpstream } from './forward.js';

export type { DnsAnswers } from './answer.js';

export interface EmbeddedDnsOptions {
  address: string; // IPv4 to bind
  port?: number; // default 53; tests pass 0 for a random one and read .port
  answers: DnsAnswers;
  upstreams: string[]; // "ip" or "ip:port"
  log: Logger;
  /** Per upstream; default 2000 ms. */
  forwardTimeoutMs?: number;
  /** A TCP connection with no query for this long is closed; default 10 000 ms. */
  tcpIdleMs?: number;
}

type Transport = 'udp' | 'tcp';

/** Plain DNS over UDP without EDNS0 (RFC 1035 4.2.1). */
const CLASSIC_UDP_SIZE = 512;
/** Queries being forwarded at once; beyond this clients get SERVFAIL rather than unbounded sockets (Docker caps it too). */
const MAX_FORWARDS = 1024;

export class EmbeddedDns {
  private readonly conns = new Set<net.Socket>();
  private forwards = 0;
  private closed = false;

  private constructor(
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    readonly port: number,
    private readonly o: EmbeddedDnsOptions,
    private readonly forwarder: Forwarder,
    private readonly log: Logger,
  ) {}

  static async start(o: EmbeddedDnsOptions): Promise<EmbeddedDns> {
    const log = o.log.with({ component: 'dns', address: o.address });
    const upstreams = o.upstreams.map(parseUpstream);
    const tcp = net.createServer();
    const { udp, port } = await bindBoth(o.address, o.port ?? 53, tcp);
    // An upstream that is this server itself would forward every query back here forever.
    const others = upstreams.filter((u) => !(u.host === o.address && u.port === port));
    const dns = new EmbeddedDns(udp, tcp, port, o, new Forwarder(others, o.forwardTimeoutMs ?? 2000, log), log);
    udp.on('message', (msg, rinfo) => dns.onDatagram(msg, rinfo));
    udp.on('error', (err) => log.warn('DNS UDP socket error', { error: err }));
    tcp.on('connection', (sock) => dns.onConnection(sock));
    tcp.on('error', (err) => log.warn('DNS TCP listener error', { error: err }));
    log.info('embedded DNS server listening', { port, upstreams: others.map((u) => `${u.host}:${u.port}`) });
    return dns;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.forwarder.close();
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
    ]);
    this.log.info('embedded DNS server closed', { port: this.port });
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    let query: DnsQuery;
    try {
      query = parseQuery(msg);
    } catch (err) {
      this.log.debug('dropping malformed DNS datagram', { client: rinfo.address, error: err });
      return;
    }
    // A client without EDNS0 takes 512 bytes; with it, what it announced (never less than 512).
    const maxSize = Math.max(CLASSIC_UDP_SIZE, Math.min(query.ednsUdpSize ?? 0, 65535));
    this.respond(query, msg, rinfo.address, 'udp', maxSize)
      .then((reply) => {
        if (!reply || this.closed) return;
        this.udp.send(reply, rinfo.port, rinfo.address, (err) => {
          if (err) this.log.debug('sending DNS reply', { client: rinfo.address, error: err });
        });
      })
      .catch((err: unknown) => this.log.warn('DNS query failed', { client: rinfo.address, error: err }));
  }

  /** RFC 7766 framing: each message preceded by its 2-byte length; several (pipelined) queries per connection. */
  private onConnection(sock: net.Socket): void {
    if (this.closed) return void sock.destroy();
    this.conns.add(sock);
    const client = sock.remoteAddress ?? '';
    let buf: Buffer = Buffer.alloc(0);
    sock.setTimeout(this.o.tcpIdleMs ?? 10_000, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', (err) => this.log.debug('DNS TCP connection error', { client, error: err }));
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = Buffer.from(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        let query: DnsQuery;
        try {
          query = parseQuery(msg);
        } catch (err) {
          this.log.debug('closing DNS TCP connection after a malformed message', { client, error: err });
          sock.destroy();
          return;
        }
        this.respond(query, msg, client, 'tcp')
          .then((reply) => {
            if (!reply || sock.destroyed) return;
            const head = Buffer.alloc(2);
            head.writeUInt16BE(reply.length);
            sock.write(Buffer.concat([head, reply]));
          })
          .catch((err: unknown) => this.log.warn('DNS query failed', { client, error: err }));
      }
    });
  }

  /** The reply to send, or undefined when there is none (server closing). */
  private async respond(query: DnsQuery, raw: Buffer, client: string, transport: Transport, maxSize?: number): Promise<Buffer | undefined> {
    const servfail = () => buildReply(query, raw, RCODE_SERVFAIL, []);
    let decision;
    try {
      decision = decide(query, this.o.answers, client);
    } catch (err) {
      this.log.warn('DNS answers failed', { client, name: query.labels.join('.'), error: err });
      return servfail();
    }
    if (decision.kind === 'answer') {
      try {
        return buildReply(query, raw, decision.rcode, decision.records, maxSize);
      } catch (err) {
        // e.g. a container name that is not a valid DNS name
        this.log.warn('building DNS answer', { client, name: query.labels.join('.'), error: err });
        return servfail();
      }
    }
    if (this.forwarder.empty) return servfail();
    if (this.forwards >= MAX_FORWARDS) {
      this.log.warn('too many DNS queries in flight; answering SERVFAIL', { client });
      return servfail();
    }
    this.forwards++;
    try {
      const answer = await this.forwarder.forward(raw, transport);
      if (this.closed) return undefined;
      return answer ?? servfail();
    } finally {
      this.forwards--;
    }
  }
}
