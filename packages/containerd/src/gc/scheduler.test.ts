import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectResult } from './collector.js';
import { GcScheduler } from './scheduler.js';

function counter(result: Partial<CollectResult> = {}) {
  const runs: number[] = [];
  const collect = async (): Promise<CollectResult> => {
    runs.push(Date.now());
    await sleep(2);
    return { metaMs: 1, cleanupMs: {}, removed: {}, ...result };
  };
  return { runs, collect };
}

/** Waits until `cond` holds (at most 2 s: the machine may be busy with other tests). */
async function until(cond: () => boolean): Promise<void> {
  for (const end = Date.now() + 2000; !cond() && Date.now() < end; ) await sleep(5);
}

describe('gc scheduler', () => {
  let s: GcScheduler | undefined;
  afterEach(async () => {
    await s?.close();
  });

  it('collects once shortly after start, then only when there is a reason', async () => {
    const c = counter();
    s = new GcScheduler(c.collect, { startupDelayMs: 5 });
    await until(() => c.runs.length === 1);
    await sleep(60);
    expect(c.runs.length).toBe(1);
    s.mutated(false); // a mutation alone does not reach the threshold
    await sleep(60);
    expect(c.runs.length).toBe(1);
    s.mutated(true); // a deletion does
    await until(() => c.runs.length === 2);
    expect(c.runs.length).toBe(2);
  });

  it('runs the mutation threshold at the next tick', async () => {
    const c = counter();
    s = new GcScheduler(c.collect, { startupDelayMs: 1, mutationThreshold: 3 });
    await until(() => c.runs.length === 1);
    for (let i = 0; i < 3; i++) s.mutated(false);
    await until(() => c.runs.length === 2);
    expect(c.runs.length).toBe(2);
  });

  it('scheduleAndWait resolves after a collection that started after the call', async () => {
    const c = counter({ removed: { content: 2 } });
    s = new GcScheduler(c.collect, { startupDelayMs: 0 });
    const t = Date.now();
    const [a, b] = await Promise.all([s.scheduleAndWait(), s.scheduleAndWait()]);
    expect(a.removed).toEqual({ content: 2 });
    expect(b.removed).toEqual({ content: 2 });
    expect(c.runs.length).toBe(1);
    expect(c.runs[0]).toBeGreaterThanOrEqual(t);
    await s.scheduleAndWait();
    expect(c.runs.length).toBe(2);
  });

  it('comes back when a lease expires', async () => {
    const c = counter();
    s = new GcScheduler(c.collect, { startupDelayMs: 1 });
    await until(() => c.runs.length === 1);
    const at = Date.now() + 150;
    s.expiresAt(new Date(at));
    await until(() => c.runs.length === 2);
    expect(c.runs.length).toBe(2);
    expect(c.runs[1]).toBeGreaterThanOrEqual(at);
  });

  it('keeps an expiry announced while a collection runs that did not see it', async () => {
    let release = () => {};
    const runs: number[] = [];
    const collect = async (): Promise<CollectResult> => {
      runs.push(Date.now());
      if (runs.length === 1) await new Promise<void>((r) => { release = r; });
      return { metaMs: 1, cleanupMs: {}, removed: {} };
    };
    s = new GcScheduler(collect, { startupDelayMs: 1 });
    await until(() => runs.length === 1);
    const at = Date.now() + 100;
    s.expiresAt(new Date(at)); // during the first collection, which reports no expiry
    release();
    await until(() => runs.length === 2);
    expect(runs.length).toBe(2);
    expect(runs[1]).toBeGreaterThanOrEqual(at);
  });

  it('rejects waiters after close, and a failed collection rejects its waiters', async () => {
    let fail = true;
    s = new GcScheduler(
      async () => {
        if (fail) throw new Error('disk on fire');
        return { metaMs: 1, cleanupMs: {}, removed: {} };
      },
      { startupDelayMs: 0 },
    );
    await expect(s.scheduleAndWait()).rejects.toThrow('disk on fire');
    fail = false;
    await expect(s.scheduleAndWait()).resolves.toMatchObject({ metaMs: 1 });
    await s.close();
    await expect(s.scheduleAndWait()).rejects.toThrow(/closed/);
  });
});
