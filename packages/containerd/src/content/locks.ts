/**
 * In-process locks on ingest refs (content/local/locks.go): one writer per
 * ref at a time. A second writer gets Unavailable "ref <ref> locked for
 * <duration> (since <time>)" after containerd's ten short randomised retries;
 * clients (content.OpenWriter) retry on Unavailable themselves.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { unavailable } from '@berth/errors';

interface Held {
  since: Date;
  sinceNs: bigint;
}

/** Go's time.Duration.String() ("1.5s", "2m0.5s", "340.2µs"). */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let n = neg ? -ns : ns;
  const sign = neg ? '-' : '';
  const frac = (value: bigint, unit: bigint, digits: number) => {
    const whole = value / unit;
    const rest = (value % unit).toString().padStart(digits, '0').replace(/0+$/, '');
    return rest === '' ? `${whole}` : `${whole}.${rest}`;
  };
  if (n < 1000n) return `${sign}${n}ns`;
  if (n < 1_000_000n) return `${sign}${frac(n, 1000n, 3)}µs`;
  if (n < 1_000_000_000n) return `${sign}${frac(n, 1_000_000n, 6)}ms`;
  let out = '';
  const h = n / 3_600_000_000_000n;
  n -= h * 3_600_000_000_000n;
  const m = n / 60_000_000_000n;
  n -= m * 60_000_000_000n;
  if (h > 0n) out += `${h}h`;
  if (h > 0n || m > 0n) out += `${m}m`;
  return `${sign}${out}${frac(n, 1_000_000_000n, 9)}s`;
}

/**
 * Go's time.Time.String() in UTC for a time.Now() value, monotonic reading
 * included ("2006-01-02 15:04:05.123 +0000 UTC m=+1.500000001"); `uptimeNs`
 * is the process's age at that time.
 */
export function goTime(t: Date, uptimeNs?: bigint): string {
  const iso = t.toISOString(); // 2006-01-02T15:04:05.123Z
  const ms = iso.slice(20, 23).replace(/0+$/, '');
  const mono =
    uptimeNs === undefined
      ? ''
      : ` m=+${uptimeNs / 1_000_000_000n}.${(uptimeNs % 1_000_000_000n).toString().padStart(9, '0')}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === '' ? '' : `.${ms}`} +0000 UTC${mono}`;
}

/** Nanoseconds since the process started (Go's monotonic clock starts with the process). */
const processStartNs = process.hrtime.bigint() - BigInt(Math.round(process.uptime() * 1e9));
const uptimeNs = (at: bigint) => at - processStartNs;

export class RefLocks {
  private readonly held = new Map<string, Held>();

  /** Takes the lock or throws Unavailable at once. */
  tryLock(ref: string): void {
    const h = this.held.get(ref);
    if (h !== undefined) {
      const d = process.hrtime.bigint() - h.sinceNs;
      throw unavailable(`ref ${ref} locked for ${goDuration(d)} (since ${goTime(h.since, uptimeNs(h.sinceNs))})`);
    }
    this.held.set(ref, { since: new Date(), sinceNs: process.hrtime.bigint() });
  }

  /** containerd's policy: ten attempts, sleeping a random 0..2^n ms between them. */
  async lock(ref: string): Promise<void> {
    let last: unknown;
    for (let count = 0; count < 10; count++) {
      try {
        this.tryLock(ref);
        return;
      } catch (err) {
        last = err;
      }
      await sleep(Math.floor(Math.random() * (1 << count)));
    }
    throw last;
  }

  unlock(ref: string): void {
    this.held.delete(ref);
  }

  isLocked(ref: string): boolean {
    return this.held.has(ref);
  }
}
