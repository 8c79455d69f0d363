/**
 * Mark and sweep over the metadata (metadata/gc.go, db.go GarbageCollect).
 *
 * Roots, per namespace: every lease that has not expired and what it holds;
 * every image's target and label references; every container's snapshot and
 * label references; ingests not yet expired; blobs labelled
 * containerd.io/gc.root; plus the roots of plugged-in stores.
 * References: a blob's gc.ref labels, an ingest's expected blob, and what
 * plugged-in stores report. Everything not reached is removed in the same
 * metadata update (no other update runs meanwhile), then the disk is swept:
 * the content store's blob and ingest directories, and the storage of each
 * plugged-in store that lost a record.
 */
import { containersPrefix } from '../containers/store.js';
import { blobKey, blobsPrefix, ingestKey, ingestsPrefix, type BlobRecord, type IngestRecord } from '../content/keys.js';
import type { ContentStore } from '../content/store.js';
import { imagesPrefix, type ImageRecord } from '../images/store.js';
import { leaseIdOfKey, leaseKey, leaseResourcesPrefix, leasesPrefix } from '../leases/keys.js';
import { listLeaseResources, ResourceTypes } from '../leases/resources.js';
import type { LeaseRecord } from '../leases/store.js';
import { silentLogger, type Logger } from '../log.js';
import type { MetadataDB, ReadTx, StoredRecord, WriteTx } from '../metadata/db.js';
import { gcLabels, isRootLabelled, labelReferences, leaseExpiry } from './labels.js';
import { mark, nodeId } from './mark.js';
import { allNamespaces } from './namespaces.js';
import { NodeType, type Emit, type GcNode, type GcResourceStore, type GcStats } from './types.js';

/** What the collector reads of a container record (containers/store.ts). */
interface ContainerRoots extends StoredRecord {
  labels: Record<string, string>;
  snapshotter: string;
  snapshotKey: string;
}

export interface CollectResult extends GcStats {
  /** The earliest lease expiry still ahead, so that the scheduler can come back then. */
  nextExpiry?: Date;
}

export class Collector {
  private readonly stores = new Map<string, GcResourceStore>();

  constructor(
    private readonly db: MetadataDB,
    private readonly content: ContentStore,
    private readonly log: Logger = silentLogger,
  ) {}

  /** Plugs in a store for nodes of `store.type` (one store per type). */
  register(store: GcResourceStore): void {
    if (([NodeType.content, NodeType.ingest, NodeType.lease] as string[]).includes(store.type)) {
      throw new Error(`gc: node type ${store.type} belongs to the collector`);
    }
    if (this.stores.has(store.type)) throw new Error(`gc: a store for ${store.type} is already registered`);
    this.stores.set(store.type, store);
  }

  async collect(): Promise<CollectResult> {
    const t0 = performance.now();
    const removed: Record<string, number> = {};
    let nextExpiry: Date | undefined;
    await this.db.update(async (tx) => {
      const now = new Date();
      const roots: GcNode[] = [];
      const namespaces = await allNamespaces(tx);
      for (const ns of namespaces) {
        const expiry = await this.scanRoots(tx, ns, now, (n) => roots.push(n));
        if (expiry !== undefined && (nextExpiry === undefined || expiry < nextExpiry)) nextExpiry = expiry;
      }
      const reachable = await mark(roots, async (n) => {
        const out: GcNode[] = [];
        await this.references(tx, n, (m) => out.push(m));
        return out;
      });
      for (const ns of namespaces) {
        const all: GcNode[] = [];
        await this.scanAll(tx, ns, (n) => all.push(n));
        for (const n of all) {
          if (reachable.has(nodeId(n))) continue;
          await this.remove(tx, n);
          removed[n.type] = (removed[n.type] ?? 0) + 1;
        }
      }
    });
    const stats: CollectResult = { metaMs: performance.now() - t0, cleanupMs: {}, removed };
    if (nextExpiry !== undefined) stats.nextExpiry = nextExpiry;

    if (this.content.dirty || removed[NodeType.content] || removed[NodeType.ingest]) {
      const t1 = performance.now();
      try {
        const swept = await this.content.sweepDisk();
        this.log.debug('content garbage collected', { ...swept });
      } catch (err) {
        this.log.warn('content garbage collection failed', { error: err });
      }
      stats.contentMs = performance.now() - t1;
    }
    for (const [type, store] of this.stores) {
      if (!removed[type] && store.dirty?.() !== true) continue;
      const t1 = performance.now();
      try {
        await store.cleanup();
      } catch (err) {
        this.log.warn('garbage collection cleanup failed', { type, error: err });
      }
      stats.cleanupMs[type] = performance.now() - t1;
    }
    return stats;
  }

  /** Returns the earliest lease expiry in the future, if any. */
  private async scanRoots(tx: ReadTx, ns: string, now: Date, emit: Emit): Promise<Date | undefined> {
    let nextExpiry: Date | undefined;
    for (const [key, lease] of await tx.entries<LeaseRecord>(leasesPrefix(ns))) {
      const id = leaseIdOfKey(ns, key);
      const expiry = leaseExpiry(lease.labels);
      if (expiry !== undefined) {
        if (now > expiry) continue; // expired: collected with what only it held
        if (nextExpiry === undefined || expiry < nextExpiry) nextExpiry = expiry;
      }
      const flat = Object.hasOwn(lease.labels, gcLabels.flat);
      emit({ type: NodeType.lease, namespace: ns, key: id });
      for (const r of await listLeaseResources(tx, ns, id)) {
        if (r.type === ResourceTypes.content) emit({ type: NodeType.content, namespace: ns, key: r.id, flat });
        else if (r.type === ResourceTypes.ingests) emit({ type: NodeType.ingest, namespace: ns, key: r.id });
        else if (r.type.startsWith(`${ResourceTypes.snapshots}/`)) {
          const snapshotter = r.type.slice(ResourceTypes.snapshots.length + 1);
          emit({ type: NodeType.snapshot, namespace: ns, key: `${snapshotter}/${r.id}`, flat });
        }
      }
    }
    for (const [, image] of await tx.entries<ImageRecord>(imagesPrefix(ns))) {
      emit({ type: NodeType.content, namespace: ns, key: image.target.digest });
      labelReferences(ns, image.labels, emit);
    }
    // A container keeps its root filesystem snapshot and what its labels name.
    for (const [, c] of await tx.entries<ContainerRoots>(containersPrefix(ns))) {
      if (c.snapshotter !== '') emit({ type: NodeType.snapshot, namespace: ns, key: `${c.snapshotter}/${c.snapshotKey}` });
      labelReferences(ns, c.labels ?? {}, emit);
    }
    for (const [key, ingest] of await tx.entries<IngestRecord>(ingestsPrefix(ns))) {
      // Ingests held by a lease come with the lease; the others live until they expire.
      if (ingest.expireAt === undefined || now > new Date(ingest.expireAt)) continue;
      emit({ type: NodeType.ingest, namespace: ns, key: key.slice(ingestsPrefix(ns).length) });
    }
    for (const [key, blob] of await tx.entries<BlobRecord>(blobsPrefix(ns))) {
      if (isRootLabelled(blob.labels)) emit({ type: NodeType.content, namespace: ns, key: key.slice(blobsPrefix(ns).length) });
    }
    for (const store of this.stores.values()) await store.roots(tx, ns, emit);
    return nextExpiry;
  }

  private async references(tx: ReadTx, node: GcNode, emit: Emit): Promise<void> {
    switch (node.type) {
      case NodeType.content: {
        if (node.flat === true) return;
        const blob = await tx.get<BlobRecord>(blobKey(node.namespace, node.key));
        // a dangling reference (a label naming a blob that is gone) leads nowhere
        if (blob !== undefined) labelReferences(node.namespace, blob.labels, emit);
        return;
      }
      case NodeType.ingest: {
        const ingest = await tx.get<IngestRecord>(ingestKey(node.namespace, node.key));
        if (ingest?.expected !== undefined) emit({ type: NodeType.content, namespace: node.namespace, key: ingest.expected });
        return;
      }
      case NodeType.lease:
        return;
      default:
        await this.stores.get(node.type)?.references(tx, node, emit);
    }
  }

  private async scanAll(tx: ReadTx, ns: string, emit: Emit): Promise<void> {
    for (const key of await tx.keys(leasesPrefix(ns))) emit({ type: NodeType.lease, namespace: ns, key: leaseIdOfKey(ns, key) });
    for (const key of await tx.keys(ingestsPrefix(ns))) emit({ type: NodeType.ingest, namespace: ns, key: key.slice(ingestsPrefix(ns).length) });
    for (const key of await tx.keys(blobsPrefix(ns))) emit({ type: NodeType.content, namespace: ns, key: key.slice(blobsPrefix(ns).length) });
    for (const store of this.stores.values()) await store.all(tx, ns, emit);
  }

  private async remove(tx: WriteTx, node: GcNode): Promise<void> {
    const ns = node.namespace;
    switch (node.type) {
      case NodeType.content:
        this.log.debug('remove content', { ns, key: node.key });
        tx.del(blobKey(ns, node.key));
        return;
      case NodeType.ingest:
        this.log.debug('remove ingest', { ns, ref: node.key });
        tx.del(ingestKey(ns, node.key));
        return;
      case NodeType.lease:
        this.log.debug('remove lease', { ns, id: node.key });
        tx.del(leaseKey(ns, node.key));
        for (const key of await tx.keys(leaseResourcesPrefix(ns, node.key))) tx.del(key);
        return;
      default:
        await this.stores.get(node.type)?.remove(tx, node);
    }
  }
}
