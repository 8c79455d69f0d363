import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { goDuration, goTime, RefLocks } from './locks.js';

describe('ref locks', () => {
  it("formats durations and times like Go's String()", () => {
    expect(goDuration(0n)).toBe('0s');
    expect(goDuration(999n)).toBe('999ns');
    expect(goDuration(1_500n)).toBe('1.5µs');
    expect(goDuration(148_677_568n)).toBe('148.677568ms');
    expect(goDuration(2_000_000_000n)).toBe('2s');
    expect(goDuration(61_500_000_000n)).toBe('1m1.5s');
    expect(goDuration(3_600_000_000_000n)).toBe('1h0m0s');
    expect(goTime(new Date('2026-01-02T03:04:05.120Z'))).toBe('2026-01-02 03:04:05.12 +0000 UTC');
    expect(goTime(new Date('2026-01-02T03:04:05.000Z'), 1_500_000_001n)).toBe('2026-01-02 03:04:05 +0000 UTC m=+1.500000001');
  });

  it('lets one holder in and answers others Unavailable with what holds it', async () => {
    const locks = new RefLocks();
    locks.tryLock('default/1/x');
    expect(locks.isLocked('default/1/x')).toBe(true);
    let err: unknown;
    try {
      await locks.lock('default/1/x');
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'Unavailable')).toBe(true);
    expect((err as Error).message).toMatch(/^ref default\/1\/x locked for [\d.]+(ns|µs|ms|s) \(since \d{4}-\d\d-\d\d [\d:.]+ \+0000 UTC m=\+\d+\.\d{9}\)$/);
    locks.unlock('default/1/x');
    await locks.lock('default/1/x');
    expect(locks.isLocked('default/1/x')).toBe(true);
  });

  it('waits briefly for a lock released meanwhile', async () => {
    const locks = new RefLocks();
    locks.tryLock('r');
    setTimeout(() => locks.unlock('r'), 5);
    await locks.lock('r');
    expect(locks.isLocked('r')).toBe(true);
  });
});
