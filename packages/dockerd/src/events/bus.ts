/**
 * berthd's event stream (GET /events): docker's message shape (Type, Action,
 * Actor {ID, Attributes}, scope, time, timeNano, and the legacy status/id/from
 * fields for containers and images), a bounded history for `since`, and live
 * subscribers.
 */
import { nowNanos } from '../logs/time.js';

export interface EngineEvent {
  Type: 'container' | 'image' | 'network' | 'volume' | 'daemon';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

const historySize = 1000;

export class EventBus {
  private readonly history: EngineEvent[] = [];
  private readonly subscribers = new Set<(e: EngineEvent) => void>();

  publish(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const nanos = nowNanos();
    const e: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nanos / 1_000_000_000n),
      timeNano: Number(nanos),
    };
    // docker still fills the pre-1.22 fields for containers and images
    if (type === 'container' || type === 'image') {
      e.status = action;
      e.id = id;
      if (attributes.image !== undefined) e.from = attributes.image;
    }
    this.history.push(e);
    if (this.history.length > historySize) this.history.shift();
    for (const s of this.subscribers) s(e);
  }

  /** Events since `sinceNanos` from the history, then live ones through `listener`. */
  subscribe(sinceNanos: bigint | undefined, listener: (e: EngineEvent) => void): { past: EngineEvent[]; close: () => void } {
    const past = sinceNanos === undefined ? [] : this.history.filter((e) => BigInt(e.timeNano) >= sinceNanos);
    this.subscribers.add(listener);
    return { past, close: () => this.subscribers.delete(listener) };
  }
}
