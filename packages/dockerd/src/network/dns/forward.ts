/**
 * Forwarding to the host's resolvers: the client's query bytes go unchanged to
 * each upstream in turn (UDP for UDP clients, TCP for TCP clients) until one
 * answers within the timeout; its answer is relayed unchanged.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { invalidArgument } from '@berth/errors';
import type { Logger } from '@berth/containerd/log';
import { isResponseTo, messageId } from './codec.js';

export interface Upstream {
  host: string;
  port: number;
}

/** "ip" or "ip:port" (IPv4 only). */
export function parseUpstream(s: string): Upstream {
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(s);
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (!m || !net.isIPv4(m[1]!) || port < 1 || port > 65535) throw invalidArgument(`invalid DNS upstream ${JSON.stringify(s)}: want an IPv4 address, optionally with :port`);
  return { host: m[1]!, port };
}

export class Forwarder {
  /** Ends every exchange in flight (close()). */
  private readonly aborts = new Set<() => void>();

  constructor(
    private readonly upstreams: Upstream[],
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  get empty(): boolean {
    return this.upstreams.length === 0;
  }

  /** The first answer from the upstreams in order, or undefined when none answered. */
  async forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    for (const up of this.upstreams) {
      const answer = await (transport === 'udp' ? this.udp(up, query) : this.tcp(up, query));
      if (answer) return answer;
    }
    return undefined;
  }

  close(): void {
    for (const abort of [...this.aborts]) abort();
  }

  /** Runs one exchange with a deadline; `start` gets `done` and returns its cleanup. */
  private exchange(up: Upstream, transport: string, start: (done: (b?: Buffer, err?: Error) => void) => () => void): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let cleanup = () => {};
      let finished = false;
      const done = (answer?: Buffer, err?: Error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.aborts.delete(abort);
        cleanup();
        if (!answer) this.log.debug('DNS upstream gave no answer', { upstream: `${up.host}:${up.port}`, transport, error: err?.message ?? 'timeout' });
        resolve(answer);
      };
      const abort = () => done(undefined, new Error('server closing'));
      const timer = setTimeout(() => done(), this.timeoutMs);
      this.aborts.add(abort);
      try {
        const c = start(done);
        // done() may already have run inside start(); then clean up right away.
        if (finished) c();
        else cleanup = c;
      } catch (err) {
        done(undefined, err as Error);
      }
    });
  }

  /**
   * A fresh socket per query: a random source port per query (RFC 5452, against
   * spoofed answers), and connect() so that only the upstream's datagrams arrive
   * and an ICMP port-unreachable fails over at once instead of at the timeout.
   */
  private udp(up: Upstream, query: Buffer): Promise<Buffer | undefined> {
    const id = messageId(query);
    return this.exchange(up, 'udp', (done) => {
      const sock = dgram.createSocket('udp4');
      sock.on('error', (err) => done(undefined, err));
      sock.on('message', (msg) => {
        if (isResponseTo(msg, id)) done(msg);
      });
      sock.connect(up.port, up.host, () => sock.send(query, (err) => err && done(undefined, err)));
      return () => {
        try {
          sock.close();
        } catch {
          // already closed
        }
      };
    });
  }

  private tcp(up: Upstream, query: Buffer): Promise<Buffer | undefined> {
    const id = messageId(query);
    return this.exchange(up, 'tcp', (done) => {
      const sock = net.connect({ host: up.host, port: up.port });
      let buf: Buffer = Buffer.alloc(0);
      sock.on('error', (err) => done(undefined, err));
      sock.on('close', () => done(undefined, new Error('connection closed before an answer')));
      sock.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        sock.write(Buffer.concat([len, query]));
      });
      sock.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          if (isResponseTo(msg, id)) return done(Buffer.from(msg));
        }
      });
      return () => sock.destroy();
    });
  }
}
