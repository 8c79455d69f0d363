/**
 * The container's one serial event queue: events leave in the order they were
 * queued, each with the next sequence number, one at a time. An event that
 * cannot be delivered (containerd down, restarting) stays at the head and is
 * retried with backoff until it is; nothing behind it overtakes it. The
 * receiver may answer AlreadyExists for a sequence number it has seen (a
 * retry of a delivery whose answer was lost): that counts as delivered. An
 * event the receiver rejects as malformed (InvalidArgument) would never be
 * accepted: it is logged and dropped so that it cannot block the queue.
 */
import { isBerthError } from '@berth/errors';
import type { Any } from '@bufbuild/protobuf/wkt';
import type { Logger } from '../log.js';

export interface QueuedEvent {
  seq: number;
  topic: string;
  event: Any;
  /** When it was queued (the event's time). */
  at: Date;
}

export type Deliver = (event: QueuedEvent) => Promise<void>;

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class EventQueue {
  private seq = 0;
  private readonly pending: QueuedEvent[] = [];
  private running = false;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly deliver: Deliver,
    private readonly log: Logger,
    private readonly backoff: Backoff = { initialMs: 100, maxMs: 2_000 },
  ) {}

  get size(): number {
    return this.pending.length;
  }

  /** Queues an event; returns its sequence number. */
  publish(topic: string, event: Any): number {
    const seq = ++this.seq;
    this.pending.push({ seq, topic, event, at: new Date() });
    this.log.debug('event queued', { topic, seq });
    if (!this.running) void this.run();
    return seq;
  }

  private async run(): Promise<void> {
    this.running = true;
    let delay = this.backoff.initialMs;
    let failures = 0;
    while (this.pending.length > 0) {
      const head = this.pending[0] as QueuedEvent;
      try {
        await this.deliver(head);
      } catch (err) {
        if (isBerthError(err, 'AlreadyExists')) {
          this.log.debug('event already delivered', { topic: head.topic, seq: head.seq });
        } else if (isBerthError(err, 'InvalidArgument')) {
          this.log.error('event rejected, dropped', { topic: head.topic, seq: head.seq, error: err });
        } else {
          // Log the first failure and then every tenth: containerd may be down for long.
          if (failures++ % 10 === 0) this.log.warn('event not delivered, will retry', { topic: head.topic, seq: head.seq, error: err });
          await sleep(delay);
          delay = Math.min(delay * 2, this.backoff.maxMs);
          continue;
        }
      }
      if (failures > 0) this.log.info('event delivered after retries', { topic: head.topic, seq: head.seq, failures });
      this.pending.shift();
      delay = this.backoff.initialMs;
      failures = 0;
    }
    this.running = false;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  /** Resolves true once every queued event is delivered, false after timeoutMs. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.pending.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idle.delete(done);
        resolve(false);
      }, timeoutMs);
      this.idle.add(done);
    });
  }
}
