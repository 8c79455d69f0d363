/**
 * A backend snapshotter's own metadata (containerd's snapshots/storage): which
 * backend keys exist, their numeric ids (the directory names under
 * snapshots/), kind, parent, labels, times, and the usage recorded at commit.
 * It lives in the snapshotter's own level database
 * (<root>/io.containerd.snapshotter.v1.<name>/metadata.level), as containerd
 * keeps a metadata.db per snapshotter, so a backend works on its own.
 *
 *   v1/seq                      {next}       last id handed out
 *   v1/snapshots/<key>          Record       one per snapshot (key last, so any string works)
 *   v1/parents/<pid>/<cid>      {key}        child links, for "has children?" and parent chains
 *
 * Error messages are containerd's, so clients print the same lines.
 */
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '@berth/errors';
import type { ReadTx, StoredRecord, WriteTx } from '../metadata/db.js';
import { nowTime, type Info, type Kind, type Usage } from './types.js';

export interface SnapshotRecord extends StoredRecord {
  id: number;
  kind: Kind;
  parent: string;
  labels: Record<string, string>;
  created: string;
  updated: string;
  /** Set at commit (committed snapshots only). */
  size?: number;
  inodes?: number;
}

/** What a backend needs to build mounts: its id and the ids of its parents, nearest first. */
export interface Snapshot {
  id: string;
  kind: Kind;
  parentIds: string[];
}

const seqKey = 'v1/seq';
export const snapshotsPrefix = 'v1/snapshots/';
const snapshotKey = (key: string) => `${snapshotsPrefix}${key}`;
const parentsPrefix = (pid: number) => `v1/parents/${pid}/`;
const parentKey = (pid: number, cid: number) => `${parentsPrefix(pid)}${cid}`;

function infoOf(key: string, r: SnapshotRecord): Info {
  return { name: key, parent: r.parent, kind: r.kind, labels: { ...r.labels }, created: r.created, updated: r.updated };
}

async function read(tx: ReadTx, key: string, missing: () => Error): Promise<SnapshotRecord> {
  const r = await tx.get<SnapshotRecord>(snapshotKey(key));
  if (r === undefined) throw missing();
  return r;
}

const doesNotExist = () => notFound('snapshot does not exist');

export async function getInfo(tx: ReadTx, key: string): Promise<{ id: string; info: Info; usage: Usage }> {
  const r = await read(tx, key, doesNotExist);
  return { id: String(r.id), info: infoOf(key, r), usage: { size: r.size ?? 0, inodes: r.inodes ?? 0 } };
}

async function parentIds(tx: ReadTx, parent: string): Promise<string[]> {
  const ids: string[] = [];
  for (let name = parent; name !== ''; ) {
    const p = await read(tx, name, () => notFound('missing parent'));
    ids.push(String(p.id));
    name = p.parent;
  }
  return ids;
}

/** An active or view snapshot with its parent chain (for mounts). */
export async function getSnapshot(tx: ReadTx, key: string): Promise<Snapshot> {
  const r = await read(tx, key, doesNotExist);
  if (r.kind !== 'active' && r.kind !== 'view') {
    throw failedPrecondition(`requested snapshot ${key} not active or view`);
  }
  return { id: String(r.id), kind: r.kind, parentIds: await parentIds(tx, r.parent) };
}

export async function createSnapshot(
  tx: WriteTx,
  kind: Kind,
  key: string,
  parent: string,
  labels: Record<string, string>,
): Promise<Snapshot> {
  if (kind === 'committed') {
    throw invalidArgument('snapshot type Committed invalid; only snapshots of type Active or View can be created');
  }
  let parentRecord: SnapshotRecord | undefined;
  if (parent !== '') {
    parentRecord = await read(tx, parent, () => notFound(`missing parent ${JSON.stringify(parent)} bucket`));
    if (parentRecord.kind !== 'committed') {
      throw invalidArgument(`parent ${JSON.stringify(parent)} is not committed snapshot`);
    }
  }
  if ((await tx.get(snapshotKey(key))) !== undefined) throw alreadyExists(`snapshot ${key}`);
  const id = ((await tx.get<StoredRecord & { next: number }>(seqKey))?.next ?? 0) + 1;
  tx.put(seqKey, { schema: 1, next: id } as StoredRecord);
  const t = nowTime();
  const record: SnapshotRecord = { schema: 1, id, kind, parent, labels: { ...labels }, created: t, updated: t };
  tx.put(snapshotKey(key), record);
  if (parentRecord !== undefined) tx.put(parentKey(parentRecord.id, id), { schema: 1, key } as StoredRecord);
  return { id: String(id), kind, parentIds: parent === '' ? [] : await parentIds(tx, parent) };
}

/** containerd's label update rules: "labels" or "labels.<k>" paths; none replaces all. Empty values are dropped. */
export function updatedLabels(
  current: Record<string, string>,
  wanted: Record<string, string>,
  paths: string[],
  name: string,
): Record<string, string> {
  let labels = { ...current };
  if (paths.length === 0) labels = { ...wanted };
  for (const path of paths) {
    if (path.startsWith('labels.')) {
      const k = path.slice('labels.'.length);
      labels[k] = wanted[k] ?? '';
    } else if (path === 'labels') {
      labels = { ...wanted };
    } else {
      throw invalidArgument(`cannot update ${JSON.stringify(path)} field on snapshot ${JSON.stringify(name)}`);
    }
  }
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
}

export async function updateInfo(tx: WriteTx, name: string, labels: Record<string, string>, paths: string[]): Promise<Info> {
  const r = await read(tx, name, doesNotExist);
  const next: SnapshotRecord = { ...r, labels: updatedLabels(r.labels, labels, paths, name), updated: nowTime() };
  tx.put(snapshotKey(name), next);
  return infoOf(name, next);
}

export async function walkInfo(tx: ReadTx): Promise<Info[]> {
  return (await tx.entries<SnapshotRecord>(snapshotsPrefix)).map(([k, r]) => infoOf(k.slice(snapshotsPrefix.length), r));
}

async function hasChildren(tx: ReadTx, id: number): Promise<boolean> {
  return (await tx.keys(parentsPrefix(id))).length > 0;
}

export async function removeSnapshot(tx: WriteTx, key: string): Promise<{ id: string; kind: Kind }> {
  const r = await read(tx, key, () => notFound(`snapshot ${key}`));
  if (await hasChildren(tx, r.id)) throw failedPrecondition('cannot remove snapshot with child');
  if (r.parent !== '') {
    const p = await read(tx, r.parent, () => notFound(`snapshot ${key}`));
    tx.del(parentKey(p.id, r.id));
  }
  tx.del(snapshotKey(key));
  return { id: String(r.id), kind: r.kind };
}

export async function commitActive(
  tx: WriteTx,
  key: string,
  name: string,
  usage: Usage,
  labels: Record<string, string>,
): Promise<string> {
  if ((await tx.get(snapshotKey(name))) !== undefined) throw alreadyExists(`committed snapshot ${name}`);
  const r = await read(tx, key, () => notFound(`failed to get active snapshot ${JSON.stringify(key)}`));
  if (r.kind !== 'active') throw failedPrecondition(`snapshot ${JSON.stringify(key)} is not active`);
  const t = nowTime();
  const committed: SnapshotRecord = {
    ...r,
    kind: 'committed',
    created: t,
    updated: t,
    labels: { ...labels },
    size: usage.size,
    inodes: usage.inodes,
  };
  tx.put(snapshotKey(name), committed);
  tx.del(snapshotKey(key));
  if (r.parent !== '') {
    const p = await read(tx, r.parent, () =>
      notFound(`missing parent ${JSON.stringify(r.parent)} of snapshot ${JSON.stringify(key)}`),
    );
    tx.put(parentKey(p.id, r.id), { schema: 1, key: name } as StoredRecord);
  }
  return String(r.id);
}

/** id -> key of every snapshot (what Cleanup keeps). */
export async function idMap(tx: ReadTx): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const [k, r] of await tx.entries<SnapshotRecord>(snapshotsPrefix)) m.set(String(r.id), k.slice(snapshotsPrefix.length));
  return m;
}
