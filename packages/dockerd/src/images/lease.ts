/** A containerd lease around a multi-step write, removed at the end whatever happens. */
import type { Containerd } from '../containerd.js';

export async function withLease<T>(ctr: Containerd, fn: (lease: string) => Promise<T>): Promise<T> {
  // the expiry is a backstop for a berthd killed mid-write: containerd's GC drops the lease then
  const { lease } = await ctr.leases.create({ labels: { 'containerd.io/gc.expire': new Date(Date.now() + 3_600_000).toISOString() } });
  const id = lease?.id ?? '';
  try {
    return await fn(id);
  } finally {
    await ctr.leases.delete({ id }).catch(() => undefined);
  }
}
