import { describe, expect, it } from 'vitest';
import type { WaitResult } from '@berth/runc';
import { silentLogger } from '@berth/containerd/log';
import { exitStatusOf, nativeReapOne, Reaper } from './reaper.js';

function fakeReaper(ready: WaitResult[]) {
  return new Reaper(() => ready.shift() ?? null, silentLogger);
}

describe('Reaper', () => {
  it('hands each reaped pid to its watcher once', () => {
    const ready: WaitResult[] = [{ pid: 10, exitCode: 0, status: 0 }, { pid: 11, signal: 9, status: 9 }];
    const r = fakeReaper(ready);
    const got: number[] = [];
    r.watch(10, (w) => got.push(w.pid));
    r.watch(11, (w) => got.push(w.pid));
    r.reap();
    r.reap();
    expect(got).toEqual([10, 11]);
  });

  it('keeps exits nobody watched yet (a process that exits before its pid is registered)', () => {
    const ready: WaitResult[] = [{ pid: 20, exitCode: 3, status: 3 << 8 }];
    const r = fakeReaper(ready);
    r.reap();
    let got: WaitResult | undefined;
    r.watch(20, (w) => {
      got = w;
    });
    expect(got).toEqual({ pid: 20, exitCode: 3, status: 3 << 8 });
  });

  it('treats ECHILD as nothing to reap and other errors as errors', () => {
    const echild = Object.assign(new Error('waitpid: No child processes'), { errno: 10 });
    expect(nativeReapOne(() => { throw echild; })()).toBeNull();
    expect(nativeReapOne(() => ({ pid: 0 }))()).toBeNull();
    expect(nativeReapOne(() => ({ pid: 5, exitCode: 0 }))()).toEqual({ pid: 5, exitCode: 0 });
    expect(() => nativeReapOne(() => { throw new Error('EINVAL'); })()).toThrow('EINVAL');
  });

  it('uses containerd exit statuses: the code, or 128 + signal', () => {
    expect(exitStatusOf({ pid: 1, exitCode: 7 })).toBe(7);
    expect(exitStatusOf({ pid: 1, signal: 9 })).toBe(137);
  });
});

describe('Reaper and pid reuse', () => {
  it('does not hand an old orphan exit to a new process that got the same pid', () => {
    const ready: WaitResult[] = [{ pid: 30, exitCode: 1, status: 1 << 8 }];
    const r = new Reaper(() => ready.shift() ?? null, silentLogger);
    const realNow = Date.now;
    try {
      r.reap();
      Date.now = () => realNow() + 60_000;
      let got: WaitResult | undefined;
      r.watch(30, (w) => {
        got = w;
      });
      expect(got).toBeUndefined();
      ready.push({ pid: 30, exitCode: 0, status: 0 });
      r.reap();
      expect(got).toEqual({ pid: 30, exitCode: 0, status: 0 });
    } finally {
      Date.now = realNow;
    }
  });
});
