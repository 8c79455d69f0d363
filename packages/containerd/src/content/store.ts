/**
 * The namespaced content store (metadata/content.go) over the shared disk
 * store: blob records and ingest records per namespace in the metadata
 * database, bytes once on disk. Error messages are containerd's, since
 * clients print them ("content digest sha256:...: not found").
 */
import { alreadyExists, invalidArgument, isBerthError, notFound } from '@berth/errors';
import type { FieldLookup } from '../filters/filter.js';
import { allNamespaces } from '../gc/namespaces.js';
import { parseFilters } from '../filters/parse.js';
import { goQuote, validateLabels } from '../identifiers.js';
import { leaseKey } from '../leases/keys.js';
import { leaseHooks } from '../leases/resources.js';
import type { MutationListener } from '../leases/store.js';
import { silentLogger, type Logger } from '../log.js';
import type { MetadataDB } from '../metadata/db.js';
import { ensureNamespace } from '../metadata/namespaces.js';
import { backendRef, blobKey, blobsPrefix, ingestKey, ingestsPrefix, type BlobRecord, type IngestRecord } from './keys.js';
import type { LocalStore } from './local-store.js';
import { RWLock } from './rwlock.js';
import type { ContentInfo, IngestStatus } from './types.js';
import { dropEmpty, NamespacedWriter } from './writer.js';

/** Ingests held by no lease are collected a day after they were opened (containerd's fixed policy). */
export const ingestExpiryMs = 24 * 60 * 60 * 1000;

export interface WriterOptions {
  ref: string;
  /** Expected size, 0 when unknown. */
  total: number;
  /** Expected digest, '' when unknown. */
  expected: string;
}

const infoOf = (digest: string, r: BlobRecord): ContentInfo => ({
  digest,
  size: r.size,
  createdAt: new Date(r.createdAt),
  updatedAt: new Date(r.updatedAt),
  labels: { ...r.labels },
});

/** content.AdaptInfo: digest, labels.<key> (size is not filterable in containerd). */
function infoLookup(info: ContentInfo): FieldLookup {
  return ([head, ...rest]) => {
    if (head === 'digest') return info.digest;
    if (head === 'labels') {
      const key = rest.join('.');
      return Object.hasOwn(info.labels, key) ? info.labels[key] : undefined;
    }
    return undefined;
  };
}

export class ContentStore {
  readonly lock = new RWLock();
  /** Whether the disk may hold blobs or ingests no record refers to; true at start (a crash may have left some). */
  dirty = true;

  constructor(
    private readonly db: MetadataDB,
    readonly backend: LocalStore,
    private readonly changed: MutationListener = () => {},
    private readonly log: Logger = silentLogger,
  ) {}

  async info(ns: string, digest: string): Promise<ContentInfo> {
    const r = await this.db.view((tx) => tx.get<BlobRecord>(blobKey(ns, digest)));
    if (r === undefined) throw notFound(`content digest ${digest}`);
    return infoOf(digest, r);
  }

  async has(ns: string, digest: string): Promise<boolean> {
    return (await this.db.view((tx) => tx.get<BlobRecord>(blobKey(ns, digest)))) !== undefined;
  }

  /** Labels only: "labels" replaces them all, "labels.<key>" sets one; no paths replaces all. */
  async update(ns: string, digest: string, labels: Record<string, string>, paths: readonly string[]): Promise<ContentInfo> {
    return this.lock.shared(() =>
      this.db.update(async (tx) => {
        const r = await tx.get<BlobRecord>(blobKey(ns, digest));
        if (r === undefined) throw notFound(`content digest ${digest}`);
        let next = { ...r.labels };
        if (paths.length === 0) next = { ...labels };
        for (const p of paths) {
          if (p.startsWith('labels.')) {
            const key = p.slice('labels.'.length);
            next[key] = labels[key] ?? '';
          } else if (p === 'labels') {
            next = { ...labels };
          } else {
            throw invalidArgument(`cannot update ${goQuote(p)} field on content info ${goQuote(digest)}`);
          }
        }
        next = dropEmpty(next);
        validateLabels(next, 'info.Labels');
        const updated: BlobRecord = { ...r, labels: next, updatedAt: new Date().toISOString() };
        tx.put(blobKey(ns, digest), updated);
        return infoOf(digest, updated);
      }),
    );
  }

  async list(ns: string, filters: readonly string[] = []): Promise<ContentInfo[]> {
    const set = parseFilters(filters);
    const all = await this.db.view(async (tx) =>
      (await tx.entries<BlobRecord>(blobsPrefix(ns))).map(([key, r]) => infoOf(key.slice(blobsPrefix(ns).length), r)),
    );
    return all.filter((info) => set.match(infoLookup(info)));
  }

  /** Removes the blob from the namespace; the bytes go when no namespace refers to them (next collection). */
  async delete(ns: string, digest: string, lease?: string): Promise<void> {
    await this.lock.shared(() =>
      this.db.update(async (tx) => {
        if ((await tx.get(blobKey(ns, digest))) === undefined) throw notFound(`content digest ${digest}`);
        tx.del(blobKey(ns, digest));
        leaseHooks.removeContent(tx, ns, lease, digest);
        this.dirty = true;
      }),
    );
    this.changed(true);
  }

  /** An open file on a blob visible in the namespace, and its size. */
  async open(ns: string, digest: string) {
    const info = await this.info(ns, digest);
    return { info, file: await this.backend.openBlob(digest) };
  }

  async status(ns: string, ref: string): Promise<IngestStatus> {
    const r = await this.db.view((tx) => tx.get<IngestRecord>(ingestKey(ns, ref)));
    if (r === undefined || r.bref === '') throw notFound(`reference ${ref}`);
    return { ...(await this.backend.status(r.bref)), ref };
  }

  /** Active ingests of the namespace, filtered on `ref`, in ref order. */
  async listStatuses(ns: string, filters: readonly string[] = []): Promise<IngestStatus[]> {
    const set = parseFilters(filters);
    const records = await this.db.view((tx) => tx.entries<IngestRecord>(ingestsPrefix(ns)));
    const out: IngestStatus[] = [];
    for (const [key, r] of records) {
      const ref = key.slice(ingestsPrefix(ns).length);
      let st: IngestStatus;
      try {
        st = { ...(await this.backend.status(r.bref)), ref };
      } catch (err) {
        if (isBerthError(err, 'NotFound')) continue; // shared, or committed meanwhile
        throw err;
      }
      if (set.match(([head]) => (head === 'ref' ? st.ref : undefined))) out.push(st);
    }
    return out;
  }

  async abort(ns: string, ref: string, lease?: string): Promise<void> {
    await this.lock.shared(() =>
      this.db.update(async (tx) => {
        const r = await tx.get<IngestRecord>(ingestKey(ns, ref));
        if (r === undefined || r.bref === '') throw notFound(`reference ${ref}`);
        tx.del(ingestKey(ns, ref));
        leaseHooks.removeIngest(tx, ns, lease, ref);
        // A shared ingest has nothing on disk of its own.
        if (r.expected === undefined) await this.backend.abort(r.bref);
      }),
    );
  }

  /**
   * Opens (or resumes) the write of `ref` in the namespace. AlreadyExists
   * when `expected` is already visible here (then the caller's lease takes
   * it); Unavailable while another writer holds the ref.
   */
  async writer(ns: string, o: WriterOptions, lease?: string): Promise<NamespacedWriter> {
    if (o.ref === '') throw invalidArgument('ref must not be empty');
    return this.lock.shared(async () => {
      if (o.expected !== '') {
        const exists = await this.db.update(async (tx) => {
          if ((await tx.get(blobKey(ns, o.expected))) === undefined) return false;
          await leaseHooks.addContent(tx, ns, lease, o.expected);
          return true;
        });
        if (exists) throw alreadyExists(`content ${o.expected}`);
      }
      let size = o.total;
      let shared = false;
      if (o.expected !== '') {
        const onDisk = await this.backend.stat(o.expected).catch(() => undefined);
        if (onDisk !== undefined && (size === 0 || size === onDisk.size)) {
          shared = true;
          size = onDisk.size;
        }
      }
      const existing = await this.db.view(async (tx) => {
        if (lease !== undefined && (await tx.get(leaseKey(ns, lease))) === undefined) {
          throw notFound('lease does not exist');
        }
        return tx.get<IngestRecord>(ingestKey(ns, o.ref));
      });
      const bref = existing?.bref ?? backendRef(ns, o.ref);
      // Only an unshared ingest has bytes of its own, and so a lock.
      const w = shared ? undefined : await this.backend.writer(bref, size);
      try {
        await this.db.update(async (tx) => {
          await ensureNamespace(tx, ns);
          const record: IngestRecord = { schema: 1, bref };
          if (!(await leaseHooks.addIngest(tx, ns, lease, o.ref))) {
            record.expireAt = new Date(Date.now() + ingestExpiryMs).toISOString();
          }
          if (shared) record.expected = o.expected;
          tx.put(ingestKey(ns, o.ref), record);
        });
      } catch (err) {
        await w?.close();
        throw err;
      }
      this.changed(false);
      this.log.debug('writer opened', { ns, ref: o.ref, shared });
      return new NamespacedWriter(
        { db: this.db, backend: this.backend, lock: this.lock, ns, ref: o.ref, bref, lease, desc: { size, digest: shared ? o.expected : '' } },
        w,
      );
    });
  }

  /**
   * The disk half of garbage collection (contentStore.garbageCollect): with
   * every content mutation shut out, removes blobs no namespace has a
   * record for (or an ingest expects) and ingests no record names.
   */
  async sweepDisk(): Promise<{ blobs: number; ingests: number }> {
    return this.lock.exclusive(async () => {
      const blobsSeen = new Set<string>();
      const ingestsSeen = new Set<string>();
      await this.db.view(async (tx) => {
        for (const ns of await allNamespaces(tx)) {
          for (const key of await tx.keys(blobsPrefix(ns))) blobsSeen.add(key.slice(blobsPrefix(ns).length));
          for (const [, r] of await tx.entries<IngestRecord>(ingestsPrefix(ns))) {
            // an expected blob may belong to another namespace: keep it for the ingest
            if (r.expected !== undefined) blobsSeen.add(r.expected);
            if (r.bref !== '') ingestsSeen.add(r.bref);
          }
        }
      });
      const removed = { blobs: 0, ingests: 0 };
      for await (const blob of this.backend.walk()) {
        if (blobsSeen.has(blob.digest)) continue;
        await this.backend.delete(blob.digest).catch((err: unknown) => {
          if (!isBerthError(err, 'NotFound')) throw err;
        });
        removed.blobs++;
        this.log.debug('removed content', { digest: blob.digest });
      }
      for (const ref of await this.backend.ingestRefs()) {
        if (ingestsSeen.has(ref) || this.backend.locks.isLocked(ref)) continue;
        await this.backend.abort(ref).catch((err: unknown) => {
          if (!isBerthError(err, 'NotFound')) throw err;
        });
        removed.ingests++;
        this.log.debug('cleanup aborting ingest', { ref });
      }
      this.dirty = false;
      return removed;
    });
  }
}
