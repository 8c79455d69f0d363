/**
 * A backend snapshotter seen through namespaces (containerd's
 * metadata/snapshot.go): keys are per namespace, labels and times live in the
 * daemon's database, and only containerd.io/snapshot/ labels reach the
 * backend. Prepare/View take two transactions around the backend call, so a
 * slow backend (the native copy) never holds the database's single writer;
 * the second re-checks the key and undoes the backend snapshot if it lost a
 * race. Commit and Update call the backend inside the transaction, as
 * containerd does. Remove removes the backend snapshot right after the record
 * (containerd leaves that to its collector, which runs moments later).
 */
import { alreadyExists, failedPrecondition, invalidArgument, isBerthError, notFound } from '@berth/errors';
import { RWLock } from '../content/rwlock.js';
import { parseFilters } from '../filters/parse.js';
import { goQuote, validateLabels } from '../identifiers.js';
import { silentLogger, type Logger } from '../log.js';
import type { MetadataDB, WriteTx } from '../metadata/db.js';
import { ensureNamespace } from '../metadata/namespaces.js';
import { snapshotLookup } from './filter.js';
import type { SnapshotLeases } from './leases.js';
import {
  getRecord,
  listRecords,
  nextBackendKey,
  putRecord,
  relinkChild,
  snapshotRecordKey,
  type SnapshotMeta,
} from './records.js';
import { updatedLabels } from './storage.js';
import { inheritedLabels, nowTime, type Info, type Mount, type Snapshotter, type Usage } from './types.js';

/** Who is asking: the namespace, and the lease the call carries (if any). */
export interface Caller {
  namespace: string;
  lease?: string;
}

const snapshotRefLabel = 'containerd.io/snapshot.ref';
const missing = (key: string) => notFound(`snapshot ${key} does not exist`);

function overlayInfo(backend: Info, key: string, local: SnapshotMeta): Info {
  return {
    name: key,
    parent: local.parent,
    kind: backend.kind,
    labels: { ...backend.labels, ...local.labels },
    created: local.created,
    updated: local.updated,
  };
}

export class NamespacedSnapshotter {
  /**
   * Held shared while a backend snapshot may exist without its record (between
   * the backend call and the transaction that records it), exclusively by the
   * backend collection, which would otherwise take it for garbage
   * (containerd's snapshotter.l).
   */
  readonly lock = new RWLock();

  constructor(
    private readonly db: MetadataDB,
    readonly backend: Snapshotter,
    private readonly leases?: SnapshotLeases,
    private readonly log: Logger = silentLogger,
  ) {}

  get name(): string {
    return this.backend.name;
  }

  private get leaseType(): string {
    return `snapshots/${this.name}`;
  }

  private async addLease(tx: WriteTx, c: Caller, key: string): Promise<void> {
    if (c.lease !== undefined && this.leases !== undefined) {
      await this.leases.add(tx, c.namespace, c.lease, { type: this.leaseType, id: key });
    }
  }

  private async removeLease(tx: WriteTx, c: Caller, key: string): Promise<void> {
    if (c.lease !== undefined && this.leases !== undefined) {
      await this.leases.remove(tx, c.namespace, c.lease, { type: this.leaseType, id: key });
    }
  }

  private async resolve(ns: string, key: string): Promise<SnapshotMeta> {
    const r = await this.db.view((tx) => getRecord(tx, ns, this.name, key));
    if (r === undefined) throw missing(key);
    return r;
  }

  async stat(ns: string, key: string): Promise<Info> {
    const local = await this.resolve(ns, key);
    return overlayInfo(await this.backend.stat(local.name), key, local);
  }

  async usage(ns: string, key: string): Promise<Usage> {
    return this.backend.usage((await this.resolve(ns, key)).name);
  }

  async mounts(ns: string, key: string): Promise<Mount[]> {
    return this.backend.mounts((await this.resolve(ns, key)).name);
  }

  prepare(c: Caller, key: string, parent: string, labels: Record<string, string>): Promise<Mount[]> {
    return this.lock.shared(() => this.create(c, key, parent, labels, false));
  }

  view(c: Caller, key: string, parent: string, labels: Record<string, string>): Promise<Mount[]> {
    return this.lock.shared(() => this.create(c, key, parent, labels, true));
  }

  private async create(c: Caller, key: string, parent: string, labels: Record<string, string>, readonly: boolean): Promise<Mount[]> {
    const ns = c.namespace;
    validateLabels(labels, 'info.Labels');
    if (key === '') throw invalidArgument('key must not be empty');
    const { bkey, bparent } = await this.db.update(async (tx) => {
      await ensureNamespace(tx, ns);
      const target = labels[snapshotRefLabel];
      if (target !== undefined && (await getRecord(tx, ns, this.name, target)) !== undefined) {
        throw alreadyExists(`target snapshot ${goQuote(target)}`);
      }
      if ((await getRecord(tx, ns, this.name, key)) !== undefined) throw alreadyExists(`snapshot ${goQuote(key)}`);
      let bparent = '';
      if (parent !== '') {
        const p = await getRecord(tx, ns, this.name, parent);
        if (p === undefined) throw notFound(`parent snapshot ${parent} does not exist`);
        bparent = p.name;
      }
      return { bkey: await nextBackendKey(tx, ns, this.name, key), bparent };
    });

    const inherited = inheritedLabels(labels);
    const mounts = readonly
      ? await this.backend.view(bkey, bparent, inherited)
      : await this.backend.prepare(bkey, bparent, inherited);

    try {
      await this.db.update(async (tx) => {
        if ((await getRecord(tx, ns, this.name, key)) !== undefined) throw alreadyExists(`snapshot ${goQuote(key)}`);
        if (parent !== '') {
          const p = await getRecord(tx, ns, this.name, parent);
          if (p === undefined) throw notFound(`parent snapshot ${parent} does not exist`);
          if (p.name !== bparent) throw invalidArgument(`mismatched parent ${parent} from target `);
          await relinkChild(tx, ns, this.name, parent, undefined, key);
        }
        await this.addLease(tx, c, key);
        const t = nowTime();
        putRecord(tx, ns, this.name, key, { schema: 1, name: bkey, parent, labels: { ...labels }, created: t, updated: t, children: [] });
      });
    } catch (err) {
      await this.backend.remove(bkey).catch((rerr: unknown) =>
        this.log.error('failed to cleanup unreferenced snapshot', { snapshotter: this.name, key: bkey, error: rerr }),
      );
      throw err;
    }
    return mounts;
  }

  async commit(c: Caller, name: string, key: string, labels: Record<string, string>): Promise<void> {
    const ns = c.namespace;
    validateLabels(labels, 'info.Labels');
    await this.lock.shared(() => this.db.update(async (tx) => {
      if ((await getRecord(tx, ns, this.name, name)) !== undefined) throw alreadyExists(`snapshot ${goQuote(name)}`);
      await this.addLease(tx, c, name);
      const old = await getRecord(tx, ns, this.name, key);
      if (old === undefined) throw missing(key);
      const nameKey = await nextBackendKey(tx, ns, this.name, name);
      await relinkChild(tx, ns, this.name, old.parent, key, name);
      const t = nowTime();
      putRecord(tx, ns, this.name, name, { schema: 1, name: nameKey, parent: old.parent, labels: { ...labels }, created: t, updated: t, children: old.children });
      tx.del(snapshotRecordKey(ns, this.name, key));
      await this.removeLease(tx, c, key);
      // Inside the transaction: if the backend refuses (not active), nothing changes here either.
      await this.backend.commit(nameKey, old.name, inheritedLabels(labels));
    }));
  }

  async remove(c: Caller, key: string): Promise<void> {
    const ns = c.namespace;
    const bkey = await this.db.update(async (tx) => {
      const r = await getRecord(tx, ns, this.name, key);
      if (r === undefined) throw missing(key);
      if (r.children.length > 0) throw failedPrecondition('cannot remove snapshot with child');
      await relinkChild(tx, ns, this.name, r.parent, key, undefined);
      tx.del(snapshotRecordKey(ns, this.name, key));
      await this.removeLease(tx, c, key);
      return r.name;
    });
    await this.backend.remove(bkey).catch((err: unknown) => {
      // Left for Cleanup / garbage collection, as containerd would.
      if (!isBerthError(err, 'NotFound')) this.log.warn('failed to remove backend snapshot', { key: bkey, error: err });
    });
  }

  async update(ns: string, name: string, labels: Record<string, string>, paths: string[]): Promise<Info> {
    if (name === '') throw invalidArgument('invalid argument');
    return this.db.update(async (tx) => {
      const r = await getRecord(tx, ns, this.name, name);
      if (r === undefined) throw missing(name);
      const next: SnapshotMeta = { ...r, labels: updatedLabels(r.labels, labels, paths, name), updated: nowTime() };
      validateLabels(next.labels, 'info.Labels');
      putRecord(tx, ns, this.name, name, next);
      const info = await this.backend.update(r.name, inheritedLabels(next.labels), paths);
      return overlayInfo(info, name, next);
    });
  }

  /** The namespace's snapshots matching `filters` (containerd's filter language), in key order. */
  async list(ns: string, filters: readonly string[]): Promise<Info[]> {
    const filter = parseFilters(filters);
    const records = await this.db.view((tx) => listRecords(tx, ns, this.name));
    const out: Info[] = [];
    for (const [key, local] of records) {
      let backend: Info;
      try {
        backend = await this.backend.stat(local.name);
      } catch (err) {
        if (isBerthError(err, 'NotFound')) continue;
        throw err;
      }
      const info = overlayInfo(backend, key, local);
      if (filter.match(snapshotLookup(info))) out.push(info);
    }
    return out;
  }
}
