/**
 * Leases protect what a client is building (a snapshot being unpacked) from
 * garbage collection. A call carrying the "containerd-lease" header adds the
 * snapshots it creates to that lease and drops the ones it commits away or
 * removes (containerd's addSnapshotLease/removeSnapshotLease), inside the
 * same transaction. The lease store implements this; without one, leases are
 * ignored.
 */
import type { WriteTx } from '../metadata/db.js';

export interface LeaseResource {
  /** "snapshots/<snapshotter>" */
  type: string;
  /** The snapshot key. */
  id: string;
}

export interface SnapshotLeases {
  /** NotFound when the lease does not exist in `ns`. */
  add(tx: WriteTx, ns: string, lease: string, resource: LeaseResource): Promise<void>;
  remove(tx: WriteTx, ns: string, lease: string, resource: LeaseResource): Promise<void>;
}

export const leaseHeader = 'containerd-lease';
