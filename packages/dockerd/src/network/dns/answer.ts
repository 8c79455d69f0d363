/**
 * Decides what the embedded server does with a parsed query: answer it from
 * the network's names (Docker's behaviour as users see it) or forward it.
 */
import net from 'node:net';
import { CLASS_IN, RCODE_NOERROR, RCODE_NOTIMP, TYPE_A, TYPE_PTR, type DnsQuery, type DnsRecord } from './codec.js';

export interface DnsAnswers {
  /** IPv4 addresses for `name` as seen by the client at `clientIp`; undefined = not a name of ours (forward it). */
  lookup(name: string, clientIp: string): string[] | undefined;
  /** The name for a PTR query of `ip` (container name), undefined = not ours (forward). */
  reverse(ip: string, clientIp: string): string | undefined;
}

/** Docker's resolver gives its answers a TTL of 600 s. */
export const ANSWER_TTL = 600;
const CLASS_ANY = 255;

export type Decision = { kind: 'answer'; rcode: number; records: DnsRecord[] } | { kind: 'forward' };

const FORWARD: Decision = { kind: 'forward' };

/**
 * The name as the answers are keyed: lower case (DNS names compare
 * case-insensitively, RFC 4343), no trailing dot. undefined when a label holds
 * a dot or a byte outside printable ASCII: such a name can't be one of ours.
 */
export function normalizeName(labels: string[]): string | undefined {
  if (labels.some((l) => l.includes('.') || !/^[\x21-\x7e]+$/.test(l))) return undefined;
  return labels.join('.').toLowerCase();
}

/** `d.c.b.a.in-addr.arpa` -> `a.b.c.d`; undefined for anything else (partial zones, ip6.arpa). */
export function ptrAddress(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
  if (!m) return undefined;
  const ip = [m[4], m[3], m[2], m[1]].join('.');
  return net.isIPv4(ip) ? ip : undefined;
}

export function decide(q: DnsQuery, answers: DnsAnswers, clientIp: string): Decision {
  // IQUERY, STATUS, NOTIFY, UPDATE: not something a stub resolver sends to us.
  if (q.opcode !== 0) return { kind: 'answer', rcode: RCODE_NOTIMP, records: [] };
  if (q.qclass !== CLASS_IN && q.qclass !== CLASS_ANY) return FORWARD;
  const name = normalizeName(q.labels);
  if (name === undefined || name === '') return FORWARD;
  if (q.qtype === TYPE_PTR) {
    const ip = ptrAddress(name);
    if (ip !== undefined) {
      const target = answers.reverse(ip, clientIp);
      if (target === undefined) return FORWARD;
      return { kind: 'answer', rcode: RCODE_NOERROR, records: [{ type: TYPE_PTR, ttl: ANSWER_TTL, name: target }] };
    }
  }
  const addrs = answers.lookup(name, clientIp);
  if (addrs === undefined) return FORWARD;
  // A name of ours asked for AAAA (or MX, TXT, ...): NOERROR with no answers, not
  // NXDOMAIN, so the client does not go on to try the name under its search domains.
  if (q.qtype !== TYPE_A) return { kind: 'answer', rcode: RCODE_NOERROR, records: [] };
  const records: DnsRecord[] = addrs.filter((a) => net.isIPv4(a)).map((address) => ({ type: TYPE_A, ttl: ANSWER_TTL, address }));
  return { kind: 'answer', rcode: RCODE_NOERROR, records };
}
