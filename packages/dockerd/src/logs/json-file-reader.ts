/**
 * Reading a json-file log the way `docker logs` asks: stdout and/or stderr,
 * since/until (unix seconds with a fraction, as the CLI sends them), the last
 * N entries across rotated files, optional timestamps; then, with follow, the
 * entries the writer adds until the container stops.
 */
import fs from 'node:fs';
import { parseRfc3339Nano } from './time.js';

export interface LogEntry {
  log: string;
  stream: 'stdout' | 'stderr';
  time: string;
}

export interface LogQuery {
  stdout: boolean;
  stderr: boolean;
  /** nanoseconds since the epoch; 0n for none */
  since: bigint;
  until: bigint;
  /** -1 for all */
  tail: number;
  timestamps: boolean;
}

/** "1700000000.123456789", "1700000000", an RFC3339 time; undefined/'' is 0. */
export function parseTimeParam(v: unknown): bigint {
  if (typeof v !== 'string' || v === '') return 0n;
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(v);
  if (m) return BigInt(m[1] ?? '0') * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  return parseRfc3339Nano(v);
}

export function parseEntry(line: string): LogEntry | undefined {
  try {
    const e = JSON.parse(line) as LogEntry;
    return typeof e.log === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

/** The files of a log, oldest first. */
function logFiles(file: string): string[] {
  const rotated: string[] = [];
  for (let i = 1; fs.existsSync(`${file}.${i}`); i++) rotated.push(`${file}.${i}`);
  return [...rotated.reverse(), ...(fs.existsSync(file) ? [file] : [])];
}

export function matches(e: LogEntry, q: LogQuery): boolean {
  if (e.stream === 'stdout' ? !q.stdout : !q.stderr) return false;
  if (q.since === 0n && q.until === 0n) return true;
  const t = parseRfc3339Nano(e.time);
  if (q.since !== 0n && t < q.since) return false;
  if (q.until !== 0n && t > q.until) return false;
  return true;
}

export function readEntries(file: string, q: LogQuery): LogEntry[] {
  const out: LogEntry[] = [];
  for (const f of logFiles(file)) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (line === '') continue;
      const e = parseEntry(line);
      if (e && matches(e, q)) out.push(e);
    }
  }
  return q.tail >= 0 ? out.slice(Math.max(0, out.length - q.tail)) : out;
}

export function payloadOf(e: LogEntry, q: LogQuery): Buffer {
  return Buffer.from(q.timestamps ? `${e.time} ${e.log}` : e.log);
}
