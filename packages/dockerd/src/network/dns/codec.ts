/**
 * The small part of the DNS wire format (RFC 1035, EDNS0 from RFC 6891) that the
 * embedded server needs: read a query's header, single question and OPT record,
 * and build replies to it. Forwarded traffic is relayed as raw bytes and never
 * goes through here, so anything this codec does not understand still works
 * for names that are not ours.
 */
import { invalidArgument } from '@berth/errors';

export const TYPE_A = 1;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;
export const TYPE_OPT = 41;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NOTIMP = 4;

const HEADER_LEN = 12;
const FLAG_QR = 0x8000;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const FLAG_CD = 0x0010;
/** What we advertise in our OPT record: the DNS flag day 2020 size, safe from IP fragmentation. */
const OUR_UDP_PAYLOAD = 1232;

export interface DnsQuery {
  id: number;
  opcode: number;
  flags: number;
  /** The question's labels as sent (case kept: clients may use 0x20 case randomisation). */
  labels: string[];
  qtype: number;
  qclass: number;
  /** Offset just past the question, so replies can copy its bytes verbatim. */
  questionEnd: number;
  /** The client's EDNS0 UDP payload size when it sent an OPT record. */
  ednsUdpSize?: number;
}

export type DnsRecord = { type: typeof TYPE_A; ttl: number; address: string } | { type: typeof TYPE_PTR; ttl: number; name: string };

function malformed(why: string): Error {
  return invalidArgument(`malformed DNS message: ${why}`);
}

/** Reads a (possibly compressed) name at `off`; returns its labels and the offset after it in place. */
function readName(buf: Buffer, off: number): { labels: string[]; end: number } {
  const labels: string[] = [];
  let end = -1;
  let total = 0;
  // Each pointer must go strictly backwards, which rules out loops (RFC 1035 4.1.4).
  let limit = off;
  for (;;) {
    if (off >= buf.length) throw malformed('name runs past the end');
    const len = buf[off]!;
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= buf.length) throw malformed('truncated name pointer');
      const target = ((len & 0x3f) << 8) | buf[off + 1]!;
      if (end < 0) end = off + 2;
      if (target >= limit) throw malformed('name pointer does not point backwards');
      limit = target;
      off = target;
      continue;
    }
    if (len & 0xc0) throw malformed('reserved label type');
    if (len === 0) return { labels, end: end < 0 ? off + 1 : end };
    total += len + 1;
    if (total > 255) throw malformed('name longer than 255 bytes');
    if (off + 1 + len > buf.length) throw malformed('label runs past the end');
    labels.push(buf.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
}

/** Skips one resource record; returns its type, class and the offset after it. */
function readRecordHeader(buf: Buffer, off: number): { type: number; klass: number; end: number } {
  const { end } = readName(buf, off);
  if (end + 10 > buf.length) throw malformed('truncated resource record');
  const rdlen = buf.readUInt16BE(end + 8);
  if (end + 10 + rdlen > buf.length) throw malformed('resource data runs past the end');
  return { type: buf.readUInt16BE(end), klass: buf.readUInt16BE(end + 2), end: end + 10 + rdlen };
}

/** Parses a query; throws InvalidArgument for anything that is not a well-formed one-question query. */
export function parseQuery(buf: Buffer): DnsQuery {
  if (buf.length < HEADER_LEN) throw malformed('shorter than a header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & FLAG_QR) throw malformed('a response, not a query');
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o)) as [number, number, number, number];
  // Every resolver in use sends exactly one question; so does Docker's server expect.
  if (qd !== 1) throw malformed(`${qd} questions`);
  const q = readName(buf, HEADER_LEN);
  if (q.end + 4 > buf.length) throw malformed('truncated question');
  const query: DnsQuery = {
    id,
    opcode: (flags >> 11) & 0xf,
    flags,
    labels: q.labels,
    qtype: buf.readUInt16BE(q.end),
    qclass: buf.readUInt16BE(q.end + 2),
    questionEnd: q.end + 4,
  };
  let off = query.questionEnd;
  for (let i = 0; i < an + ns + ar; i++) {
    const rr = readRecordHeader(buf, off);
    // For OPT the class field carries the requester's UDP payload size.
    if (i >= an + ns && rr.type === TYPE_OPT) query.ednsUdpSize = rr.klass;
    off = rr.end;
  }
  return query;
}

/** Encodes a name uncompressed; a trailing dot is optional. */
export function encodeName(name: string): Buffer {
  const labels = name.split('.').filter((l, i, all) => l !== '' || i !== all.length - 1);
  if (labels.some((l) => l === '')) throw invalidArgument(`invalid DNS name ${JSON.stringify(name)}: empty label`);
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'latin1');
    if (b.length > 63) throw invalidArgument(`invalid DNS name ${JSON.stringify(name)}: label longer than 63 bytes`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw invalidArgument(`invalid DNS name ${JSON.stringify(name)}: longer than 255 bytes`);
  return out;
}

function encodeRecord(r: DnsRecord): Buffer {
  let rdata: Buffer;
  if (r.type === TYPE_A) rdata = Buffer.from(r.address.split('.').map(Number));
  else rdata = encodeName(r.name);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc000 | HEADER_LEN, 0); // owner = the question's name, as the client spelled it
  head.writeUInt16BE(r.type, 2);
  head.writeUInt16BE(CLASS_IN, 4);
  head.writeUInt32BE(r.ttl, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

function optRecord(): Buffer {
  const b = Buffer.alloc(11);
  b.writeUInt16BE(TYPE_OPT, 1);
  b.writeUInt16BE(OUR_UDP_PAYLOAD, 3);
  return b;
}

/**
 * A reply to `query` (whose bytes are `raw`) with `rcode` and `records`. When
 * it would exceed `maxSize` (UDP), answers are dropped from the end and TC set,
 * so the client retries over TCP (RFC 2181 9).
 */
export function buildReply(query: DnsQuery, raw: Buffer, rcode: number, records: DnsRecord[], maxSize = 65535): Buffer {
  const question = raw.subarray(HEADER_LEN, query.questionEnd);
  const answers = records.map(encodeRecord);
  const opt = query.ednsUdpSize === undefined ? [] : [optRecord()];
  const size = (n: number) => HEADER_LEN + question.length + answers.slice(0, n).reduce((s, a) => s + a.length, 0) + (opt[0]?.length ?? 0);
  let n = answers.length;
  while (n > 0 && size(n) > maxSize) n--;
  const header = Buffer.alloc(HEADER_LEN);
  header.writeUInt16BE(query.id, 0);
  // Docker's resolver answers as a recursive server: RA set, AA not; RD and CD echoed.
  let flags = FLAG_QR | (query.opcode << 11) | (query.flags & (FLAG_RD | FLAG_CD)) | FLAG_RA | (rcode & 0xf);
  if (n < answers.length) flags |= FLAG_TC;
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(n, 6);
  header.writeUInt16BE(opt.length, 10);
  return Buffer.concat([header, question, ...answers.slice(0, n), ...opt]);
}

/** The id of any message (0 when too short); used to match upstream answers to queries. */
export function messageId(buf: Buffer): number {
  return buf.length >= 2 ? buf.readUInt16BE(0) : 0;
}

/** Whether `buf` looks like a response to the query with `id` (header present, QR set). */
export function isResponseTo(buf: Buffer, id: number): boolean {
  return buf.length >= HEADER_LEN && buf.readUInt16BE(0) === id && (buf.readUInt16BE(2) & FLAG_QR) !== 0;
}
