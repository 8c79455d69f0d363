/**
 * A write into one namespace (metadata/content.go namespacedWriter). It
 * wraps a writer on the shared disk store, or none at all when the blob is
 * already on disk from another namespace and the caller only has to prove
 * it knows the digest and size ("shared" content policy). Commit moves the
 * bytes into place, then records the blob in the namespace, drops the
 * ingest record and moves the caller's lease from the ingest to the blob.
 */
import { alreadyExists, failedPrecondition, isBerthError } from '@berth/errors';
import { goQuote, validateLabels } from '../identifiers.js';
import { leaseHooks } from '../leases/resources.js';
import type { MetadataDB } from '../metadata/db.js';
import { ensureNamespace } from '../metadata/namespaces.js';
import { blobKey, ingestKey, type BlobRecord } from './keys.js';
import type { LocalStore } from './local-store.js';
import type { LocalWriter } from './local-writer.js';
import type { RWLock } from './rwlock.js';
import type { IngestStatus } from './types.js';

export interface WriterContext {
  db: MetadataDB;
  backend: LocalStore;
  lock: RWLock;
  ns: string;
  ref: string;
  bref: string;
  lease: string | undefined;
  /** What the caller declared: size (0 when unknown) and digest ('' when unknown). */
  desc: { size: number; digest: string };
}

export class NamespacedWriter {
  private readonly started = new Date();

  constructor(
    private readonly c: WriterContext,
    private w: LocalWriter | undefined,
  ) {}

  status(): IngestStatus {
    if (this.w !== undefined) return { ...this.w.status(), ref: this.c.ref };
    const { size, digest } = this.c.desc;
    return { ref: this.c.ref, offset: size, total: size, startedAt: this.started, updatedAt: this.started, expected: digest };
  }

  digest(): string {
    return this.w !== undefined ? this.w.digest() : this.c.desc.digest;
  }

  async write(data: Uint8Array): Promise<number> {
    if (this.w === undefined) {
      if (data.length === 0) return 0;
      await this.createAndCopy(this.c.desc.size);
    }
    return this.w!.write(data);
  }

  async truncate(size: number): Promise<void> {
    if (this.w !== undefined) return this.w.truncate(size);
    await this.createAndCopy(size);
  }

  /** Unshares: a real ingest holding the first `size` bytes of the blob already on disk. */
  private async createAndCopy(size: number): Promise<void> {
    const w = await this.c.backend.writer(this.c.bref, size);
    try {
      if (size > 0) {
        const file = await this.c.backend.openBlob(this.c.desc.digest);
        try {
          const buf = Buffer.allocUnsafe(1 << 20);
          for (let pos = w.status().offset; pos < size; ) {
            const { bytesRead } = await file.read(buf, 0, Math.min(buf.length, size - pos), pos);
            if (bytesRead === 0) throw failedPrecondition('failed to read expected number of bytes: unexpected EOF');
            await w.write(buf.subarray(0, bytesRead));
            pos += bytesRead;
          }
        } finally {
          await file.close();
        }
      }
    } catch (err) {
      await w.close();
      throw err;
    }
    this.w = w;
  }

  async commit(size: number, expected: string, labels: Record<string, string> = {}): Promise<void> {
    const { db, ns, ref, lease, desc } = this.c;
    try {
      validateLabels(labels, 'info.Labels');
    } catch (err) {
      await this.w?.close();
      throw err;
    }
    await this.c.lock.shared(async () => {
      let actual: string;
      if (this.w === undefined) {
        if (size !== 0 && size !== desc.size) {
          throw failedPrecondition(`${goQuote(ref)} failed size validation: ${desc.size} != ${size}`);
        }
        if (expected !== '' && expected !== desc.digest) throw failedPrecondition(`${goQuote(ref)} unexpected digest`);
        size = desc.size;
        actual = desc.digest;
      } else {
        const offset = this.w.status().offset;
        if (size !== 0 && size !== offset) {
          await this.w.close();
          throw failedPrecondition(`${goQuote(ref)} failed size validation: ${offset} != ${size}`);
        }
        size = offset;
        // The bytes go into place first (under the shared lock, so the
        // collector cannot sweep them before their record exists).
        try {
          await this.w.commit(size, expected);
        } catch (err) {
          if (!isBerthError(err, 'AlreadyExists')) throw err;
        }
        actual = this.w.digest();
      }
      const now = new Date().toISOString();
      const existed = await db.update(async (tx) => {
        await ensureNamespace(tx, ns);
        const exists = (await tx.get(blobKey(ns, actual))) !== undefined;
        if (!exists) {
          const record: BlobRecord = { schema: 1, size, createdAt: now, updatedAt: now, labels: dropEmpty(labels) };
          tx.put(blobKey(ns, actual), record);
        }
        tx.del(ingestKey(ns, ref));
        leaseHooks.removeIngest(tx, ns, lease, ref);
        await leaseHooks.addContent(tx, ns, lease, actual);
        return exists;
      });
      if (existed) throw alreadyExists(`content ${actual}`);
    });
  }

  /** Leaves the ingest to be resumed later. */
  async close(): Promise<void> {
    await this.w?.close();
  }
}

/** Labels with an empty value are not stored (boltutil.WriteLabels). */
export function dropEmpty(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
}
