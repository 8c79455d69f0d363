/**
 * Deduplication of events published by berth-shim. A shim sends its events in
 * order, one at a time, each with gRPC metadata `berth-shim-seq` (1, 2, ...)
 * and `berth-shim-instance` (`<pid>-<start ms>`), and retries one until it is
 * delivered; a retry whose first answer was lost must not reach subscribers
 * twice. Because a shim never sends seq n+1 before n is delivered, the highest
 * seq seen per (namespace, instance) is enough: anything at or below it is a
 * repeat. Memory is bounded: the least recently heard instances are forgotten
 * beyond `maxInstances` (a forgotten shim has long moved past its retries).
 */
import type { Metadata } from '@grpc/grpc-js';

export const shimSeqHeader = 'berth-shim-seq';
export const shimInstanceHeader = 'berth-shim-instance';

export interface ShimEventId {
  instance: string;
  seq: number;
}

/** The shim's event id from a call's metadata, or undefined for other publishers. */
export function shimEventId(metadata: Metadata): ShimEventId | undefined {
  const instance = metadata.get(shimInstanceHeader)[0];
  const seqText = metadata.get(shimSeqHeader)[0];
  if (typeof instance !== 'string' || typeof seqText !== 'string' || instance === '') return undefined;
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { instance, seq };
}

export class ShimEventDedup {
  private readonly highest = new Map<string, number>();

  constructor(private readonly maxInstances = 4096) {}

  private key(namespace: string, containerId: string, instance: string): string {
    return `${namespace}\u0000${containerId}\u0000${instance}`;
  }

  /** Whether (namespace, container, instance, seq) was recorded before. */
  seen(namespace: string, containerId: string, id: ShimEventId): boolean {
    const highest = this.highest.get(this.key(namespace, containerId, id.instance));
    return highest !== undefined && id.seq <= highest;
  }

  /**
   * Records a delivered event. The container id is part of the key, so a spare
   * shim bound to a container after its first events is still told apart.
   */
  record(namespace: string, containerId: string, id: ShimEventId): void {
    const key = this.key(namespace, containerId, id.instance);
    const highest = this.highest.get(key) ?? 0;
    this.highest.delete(key); // re-insert: Map order is the recency order
    this.highest.set(key, Math.max(highest, id.seq));
    if (this.highest.size > this.maxInstances) {
      const oldest = this.highest.keys().next().value;
      if (oldest !== undefined) this.highest.delete(oldest);
    }
  }

  get size(): number {
    return this.highest.size;
  }
}
