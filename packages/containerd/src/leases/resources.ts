/**
 * Resources held by a lease, and the hooks other stores use to tie what they
 * create to the caller's lease (gRPC metadata "containerd-lease", as the
 * containerd client sends it). Types are containerd's: "content" (a digest),
 * "ingests" (an ingest ref) and "snapshots/<snapshotter>" (a snapshot key).
 */
import type { Metadata } from '@grpc/grpc-js';
import { invalidArgument, notFound, notImplemented } from '@berth/errors';
import { digestProblem } from '../content/digest.js';
import type { ReadTx, WriteTx } from '../metadata/db.js';
import { leaseKey, leaseResourceKey, leaseResourcesPrefix, resourceOfKey } from './keys.js';

export const leaseHeader = 'containerd-lease';

export interface LeaseResource {
  type: string;
  id: string;
}

export const ResourceTypes = { content: 'content', ingests: 'ingests', snapshots: 'snapshots' } as const;

/** The lease the caller named, if any. */
export function leaseOf(metadata: Metadata): string | undefined {
  const first = metadata.get(leaseHeader)[0];
  if (first === undefined) return undefined;
  const id = typeof first === 'string' ? first : first.toString('utf8');
  return id === '' ? undefined : id;
}

/** containerd's parseLeaseResource: checks the type and normalises the id. */
export function parseLeaseResource(r: LeaseResource): LeaseResource {
  const parts = r.type.split('/');
  switch (parts[0]) {
    case ResourceTypes.content:
    case ResourceTypes.ingests:
      if (parts.length !== 1) throw invalidArgument(`invalid resource type ${r.type}`);
      if (parts[0] === ResourceTypes.content) {
        const problem = digestProblem(r.id);
        if (problem !== undefined) throw invalidArgument(`invalid content resource id ${r.id}: ${problem}`);
      }
      return r;
    case ResourceTypes.snapshots:
      if (parts.length !== 2) throw invalidArgument(`invalid snapshot resource type ${r.type}`);
      return r;
    default:
      throw notImplemented(`resource type ${r.type} not supported yet`);
  }
}

async function requireLease(tx: ReadTx, ns: string, lease: string, message: string): Promise<void> {
  if ((await tx.get(leaseKey(ns, lease))) === undefined) throw notFound(message);
}

/** Adds a resource to a lease that must exist. */
export async function addLeaseResource(tx: WriteTx, ns: string, lease: string, r: LeaseResource): Promise<void> {
  await requireLease(tx, ns, lease, 'lease does not exist');
  tx.put(leaseResourceKey(ns, lease, r.type, r.id), { schema: 1 });
}

/** Removes a resource from a lease; nothing happens when either is gone. */
export function removeLeaseResource(tx: WriteTx, ns: string, lease: string, r: LeaseResource): void {
  tx.del(leaseResourceKey(ns, lease, r.type, r.id));
}

/** Hooks for the caller's lease, a no-op without one. */
export const leaseHooks = {
  addContent: (tx: WriteTx, ns: string, lease: string | undefined, digest: string) =>
    lease === undefined ? Promise.resolve() : addLeaseResource(tx, ns, lease, { type: ResourceTypes.content, id: digest }),
  removeContent: (tx: WriteTx, ns: string, lease: string | undefined, digest: string) => {
    if (lease !== undefined) removeLeaseResource(tx, ns, lease, { type: ResourceTypes.content, id: digest });
  },
  /** True when the ingest is now held by a lease (and so does not need an expiry). */
  addIngest: async (tx: WriteTx, ns: string, lease: string | undefined, ref: string): Promise<boolean> => {
    if (lease === undefined) return false;
    await addLeaseResource(tx, ns, lease, { type: ResourceTypes.ingests, id: ref });
    return true;
  },
  removeIngest: (tx: WriteTx, ns: string, lease: string | undefined, ref: string) => {
    if (lease !== undefined) removeLeaseResource(tx, ns, lease, { type: ResourceTypes.ingests, id: ref });
  },
  /** For the snapshot store: `snapshots/<snapshotter>` resources. */
  addSnapshot: (tx: WriteTx, ns: string, lease: string | undefined, snapshotter: string, key: string) =>
    lease === undefined
      ? Promise.resolve()
      : addLeaseResource(tx, ns, lease, { type: `${ResourceTypes.snapshots}/${snapshotter}`, id: key }),
  removeSnapshot: (tx: WriteTx, ns: string, lease: string | undefined, snapshotter: string, key: string) => {
    if (lease !== undefined) removeLeaseResource(tx, ns, lease, { type: `${ResourceTypes.snapshots}/${snapshotter}`, id: key });
  },
};

export async function listLeaseResources(tx: ReadTx, ns: string, lease: string): Promise<LeaseResource[]> {
  const prefix = leaseResourcesPrefix(ns, lease);
  return (await tx.keys(prefix)).map((key) => resourceOfKey(prefix, key));
}
