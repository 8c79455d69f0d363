/**
 * When to collect (gc/scheduler/scheduler.go, with its defaults): a deletion
 * schedules a collection after `scheduleDelayMs` (0); mutations only count
 * towards `mutationThreshold` (100), checked at the periodic tick; the tick
 * interval keeps collection pauses near `pauseThreshold` (2%) of the time
 * (average pause / threshold - average pause); the first
 * collection runs `startupDelayMs` (100 ms) after start.
 * scheduleAndWait() (images and leases deleted with sync) triggers one and
 * resolves when a collection that started after the call has finished.
 *
 * Unlike containerd 1.6, a lease's gc.expire time is a reason to collect by
 * itself: the collector reports the next expiry and a collection runs then,
 * so expired leases and what only they held go away on time.
 */
import { silentLogger, type Logger } from '../log.js';
import type { CollectResult } from './collector.js';

export interface SchedulerOptions {
  pauseThreshold?: number;
  deletionThreshold?: number;
  mutationThreshold?: number;
  scheduleDelayMs?: number;
  startupDelayMs?: number;
  /** The periodic interval before the first collection has been timed (containerd: 1 s). */
  initialIntervalMs?: number;
}

const minIntervalMs = 10;

interface Waiter {
  resolve: (stats: CollectResult) => void;
  reject: (err: unknown) => void;
}

export class GcScheduler {
  private readonly pauseThreshold: number;
  private readonly deletionThreshold: number;
  private readonly mutationThreshold: number;
  private readonly scheduleDelayMs: number;

  private timer: NodeJS.Timeout | undefined;
  private nextAt: number | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryAt: number | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  private triggered = false;
  private deletions = 0;
  private mutations = 0;
  private expiryDue = false;
  private lastCollection: number | undefined;
  private interval: number;
  private totalMs = 0;
  private collections = 0;
  private waiting: Waiter[] = [];

  constructor(
    private readonly collect: () => Promise<CollectResult>,
    options: SchedulerOptions = {},
    private readonly log: Logger = silentLogger,
  ) {
    this.pauseThreshold = Math.min(Math.max(options.pauseThreshold ?? 0.02, 0), 0.5);
    this.deletionThreshold = options.deletionThreshold ?? 0;
    this.mutationThreshold = Math.max(options.mutationThreshold ?? 100, 0);
    this.scheduleDelayMs = Math.max(options.scheduleDelayMs ?? 0, 0);
    this.interval = options.initialIntervalMs ?? 1000;
    const startup = Math.max(options.startupDelayMs ?? 100, 0);
    if (startup > 0) this.schedule(startup);
  }

  /** What containerd exports for its scheduler plugin. */
  get exports(): Record<string, string> {
    return {
      PauseThreshold: String(this.pauseThreshold),
      DeletionThreshold: String(this.deletionThreshold),
      MutationThreshold: String(this.mutationThreshold),
      ScheduleDelay: `${this.scheduleDelayMs}ms`,
    };
  }

  /** A store changed something; `deleted` when it removed something. */
  mutated(deleted: boolean): void {
    if (this.closed) return;
    if (deleted) this.deletions++;
    this.mutations++;
    if (
      (this.deletionThreshold > 0 && this.deletions >= this.deletionThreshold) ||
      (this.nextAt === undefined &&
        ((this.deletionThreshold === 0 && this.deletions > 0) ||
          (this.mutationThreshold > 0 && this.mutations >= this.mutationThreshold)))
    ) {
      this.schedule(this.scheduleDelayMs);
    }
  }

  /** Triggers a collection and resolves with the stats of one that started after this call. */
  scheduleAndWait(): Promise<CollectResult> {
    if (this.closed) return Promise.reject(new Error('gc scheduler is closed'));
    return new Promise<CollectResult>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.triggered = true;
      this.schedule(this.scheduleDelayMs);
    });
  }

  /** Stops scheduling; waits for a running collection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.expiryTimer);
    await this.running;
    for (const w of this.waiting.splice(0)) w.reject(new Error('gc scheduler is closed'));
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    if (this.nextAt !== undefined && this.nextAt <= at) return;
    clearTimeout(this.timer);
    this.nextAt = at;
    this.timer = setTimeout(() => this.fire(), delayMs);
    this.timer.unref();
  }

  private fire(): void {
    this.nextAt = undefined;
    this.timer = undefined;
    if (this.running !== undefined) {
      // One collection at a time; the one running will reschedule.
      return;
    }
    const needed =
      this.triggered ||
      this.expiryDue ||
      this.lastCollection === undefined ||
      this.deletions > 0 ||
      (this.mutationThreshold > 0 && this.mutations >= this.mutationThreshold);
    if (!needed) {
      this.schedule(this.interval);
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.triggered) this.schedule(this.scheduleDelayMs);
      else this.schedule(this.interval);
    });
  }

  private async run(): Promise<void> {
    const waiters = this.waiting.splice(0);
    this.triggered = false;
    this.expiryDue = false;
    const deletions = this.deletions;
    const mutations = this.mutations;
    this.deletions = 0;
    this.mutations = 0;
    try {
      const stats = await this.collect();
      this.lastCollection = Date.now();
      this.totalMs += stats.metaMs;
      this.collections++;
      if (this.pauseThreshold > 0) {
        const avg = this.totalMs / this.collections;
        // never a busy loop, even when collections are very fast
        this.interval = Math.max(minIntervalMs, avg / this.pauseThreshold - avg);
      }
      // an expiry announced while this collection ran (a lease made meanwhile) may be one it did not see: keep the earlier
      const armed = this.expiryAt !== undefined && this.expiryAt > Date.now() ? this.expiryAt : undefined;
      const seen = stats.nextExpiry?.getTime();
      const next = armed === undefined ? seen : seen === undefined ? armed : Math.min(armed, seen);
      this.watchExpiry(next === undefined ? undefined : new Date(next));
      this.log.debug('garbage collected', { d: `${stats.metaMs.toFixed(3)}ms`, removed: stats.removed });
      for (const w of waiters) w.resolve(stats);
    } catch (err) {
      this.log.error('garbage collection failed', { error: err });
      this.lastCollection = Date.now();
      // what was pending is still pending
      this.deletions += deletions;
      this.mutations += mutations;
      for (const w of waiters) w.reject(err);
    }
  }

  /** Something (a new lease) expires at `at`: make sure a collection runs then. */
  expiresAt(at: Date): void {
    if (this.expiryAt !== undefined && this.expiryAt <= at.getTime()) return;
    this.watchExpiry(at);
  }

  private watchExpiry(next: Date | undefined): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryAt = undefined;
    if (next === undefined || this.closed) return;
    this.expiryAt = next.getTime();
    // setTimeout takes at most 2^31-1 ms; a farther expiry is re-armed by later collections
    const delay = Math.min(Math.max(next.getTime() - Date.now(), 0) + 1, 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.expiryAt = undefined;
      this.expiryDue = true;
      this.schedule(0);
    }, delay);
    this.expiryTimer.unref();
  }
}
