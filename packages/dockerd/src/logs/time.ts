/**
 * Go's RFC3339Nano timestamps (docker's log and event times): nanoseconds with
 * trailing zeros trimmed. JS clocks give milliseconds; process.hrtime adds the
 * sub-millisecond digits so that entries in the same millisecond still order.
 */
const origin = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowNanos(): bigint {
  return origin + process.hrtime.bigint();
}

export function rfc3339Nano(nanos: bigint): string {
  const ms = Number(nanos / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (nanos % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}

export function nowRfc3339Nano(): string {
  return rfc3339Nano(nowNanos());
}

/** Nanoseconds since the epoch of an RFC3339(Nano) time. */
export function parseRfc3339Nano(s: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return 0n;
  const secs = BigInt(Math.floor(Date.parse(`${m[1] ?? ''}${m[3] ?? 'Z'}`) / 1000));
  const frac = BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9) || '0');
  return secs * 1_000_000_000n + frac;
}
