/**
 * Snapshot records in the daemon's metadata database (containerd's
 * metadata/snapshot.go buckets), one per (namespace, snapshotter, key):
 *
 *   v1/ns/<ns>/snapshots/<snapshotter>/<key>   SnapshotMeta
 *   meta/snapshot-seq/<snapshotter>            {next}   (backend key sequence)
 *
 * `name` is the backend key "<ns>/<seq>/<key>"; the sequence is global per
 * snapshotter, so a namespace deleted and made again never reuses a backend
 * key that garbage collection has not removed yet. Children are kept in the
 * parent's record, so "has children?" needs no scan. These functions work in
 * the caller's transaction, which is also how garbage collection uses them.
 */
import type { ReadTx, StoredRecord, WriteTx } from '../metadata/db.js';
import { objectKey, objectsPrefix } from '../metadata/keys.js';

export interface SnapshotMeta extends StoredRecord {
  /** The backend key. */
  name: string;
  parent: string;
  labels: Record<string, string>;
  created: string;
  updated: string;
  children: string[];
}

export const snapshotRecordKey = (ns: string, snapshotter: string, key: string) =>
  objectKey(ns, 'snapshots', `${snapshotter}/${key}`);

export const snapshotRecordsPrefix = (ns: string, snapshotter: string) => `${objectsPrefix(ns)}snapshots/${snapshotter}/`;

const seqKey = (snapshotter: string) => `meta/snapshot-seq/${snapshotter}`;

export function getRecord(tx: ReadTx, ns: string, snapshotter: string, key: string): Promise<SnapshotMeta | undefined> {
  return tx.get<SnapshotMeta>(snapshotRecordKey(ns, snapshotter, key));
}

export function putRecord(tx: WriteTx, ns: string, snapshotter: string, key: string, record: SnapshotMeta): void {
  tx.put(snapshotRecordKey(ns, snapshotter, key), record);
}

export async function listRecords(tx: ReadTx, ns: string, snapshotter: string): Promise<Array<[string, SnapshotMeta]>> {
  const prefix = snapshotRecordsPrefix(ns, snapshotter);
  return (await tx.entries<SnapshotMeta>(prefix)).map(([k, v]) => [k.slice(prefix.length), v]);
}

/** The next backend key for `key` in `ns` (containerd's createKey). */
export async function nextBackendKey(tx: WriteTx, ns: string, snapshotter: string, key: string): Promise<string> {
  const next = ((await tx.get<StoredRecord & { next: number }>(seqKey(snapshotter)))?.next ?? 0) + 1;
  tx.put(seqKey(snapshotter), { schema: 1, next } as StoredRecord);
  return `${ns}/${next}/${key}`;
}

/** Replaces `from` by `to` (either may be undefined) in the children of `parent`. */
export async function relinkChild(
  tx: WriteTx,
  ns: string,
  snapshotter: string,
  parent: string,
  from: string | undefined,
  to: string | undefined,
): Promise<void> {
  if (parent === '') return;
  const p = await getRecord(tx, ns, snapshotter, parent);
  if (p === undefined) return;
  const children = p.children.filter((c) => c !== from);
  if (to !== undefined && !children.includes(to)) children.push(to);
  putRecord(tx, ns, snapshotter, parent, { ...p, children: children.sort() });
}

/**
 * Deletes a record (and its link from its parent) in the caller's
 * transaction, without the "has children" check: garbage collection removes a
 * whole unreferenced set at once. The backend snapshot goes on the next
 * collection (Snapshotters.collect).
 */
export async function deleteRecord(tx: WriteTx, ns: string, snapshotter: string, key: string): Promise<void> {
  const r = await getRecord(tx, ns, snapshotter, key);
  if (r === undefined) return;
  await relinkChild(tx, ns, snapshotter, r.parent, key, undefined);
  tx.del(snapshotRecordKey(ns, snapshotter, key));
}

/** Every backend key some namespace still references. */
export async function referencedBackendKeys(tx: ReadTx, namespaces: string[], snapshotter: string): Promise<Set<string>> {
  const seen = new Set<string>();
  for (const ns of namespaces) for (const [, r] of await listRecords(tx, ns, snapshotter)) seen.add(r.name);
  return seen;
}
