/**
 * One write transaction on the on-disk store (content/local/writer.go): bytes
 * go to <ingest>/data while a running sha256 follows them; Commit fsyncs,
 * checks size and digest and only then renames the file to
 * blobs/sha256/<hex>, so nothing half-written is ever visible under a
 * digest. A failed commit leaves the ingest where it was (it can be resumed
 * or aborted), as containerd does.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { alreadyExists, failedPrecondition } from '@berth/errors';
import type { Logger } from '../log.js';
import { canonicalAlgorithm } from './digest.js';
import { writeTimestampFile } from './ingest-files.js';
import type { IngestStatus } from './types.js';

export interface LocalWriterInit {
  ref: string;
  dir: string;
  file: fs.FileHandle;
  hash: crypto.Hash;
  offset: number;
  total: number;
  startedAt: Date;
  updatedAt: Date;
  blobPath: (digest: string) => string;
  unlock: () => void;
  log: Logger;
}

export class LocalWriter {
  private file: fs.FileHandle | undefined;
  private hash: crypto.Hash;
  private offset: number;
  private updatedAt: Date;

  constructor(private readonly init: LocalWriterInit) {
    this.file = init.file;
    this.hash = init.hash;
    this.offset = init.offset;
    this.updatedAt = init.updatedAt;
  }

  get ref(): string {
    return this.init.ref;
  }

  status(): IngestStatus {
    return {
      ref: this.init.ref,
      offset: this.offset,
      total: this.init.total,
      startedAt: this.init.startedAt,
      updatedAt: this.updatedAt,
    };
  }

  /** The digest of what was written so far. */
  digest(): string {
    return `${canonicalAlgorithm}:${this.hash.copy().digest('hex')}`;
  }

  async write(data: Uint8Array): Promise<number> {
    const file = this.open();
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await file.write(data, done, data.length - done, this.offset + done);
      done += bytesWritten;
    }
    this.hash.update(data);
    this.offset += done;
    this.updatedAt = new Date();
    return done;
  }

  /** Only truncation to zero is supported, as in containerd. */
  async truncate(size: number): Promise<void> {
    if (size !== 0) throw failedPrecondition('Truncate: unsupported size');
    const file = this.open();
    await file.truncate(0);
    this.offset = 0;
    this.hash = crypto.createHash(canonicalAlgorithm);
  }

  /** Verifies and moves the data into place. `size` 0 and `expected` '' skip those checks. */
  async commit(size: number, expected: string): Promise<string> {
    try {
      const file = this.file;
      this.file = undefined;
      if (file === undefined) throw failedPrecondition('cannot commit on closed writer');
      let stat;
      try {
        await file.sync();
        stat = await file.stat();
      } finally {
        await file.close();
      }
      if (size > 0 && size !== stat.size) {
        throw failedPrecondition(`unexpected commit size ${stat.size}, expected ${size}`);
      }
      const digest = this.digest();
      if (expected !== '' && expected !== digest) {
        throw failedPrecondition(`unexpected commit digest ${digest}, expected ${expected}`);
      }
      const target = this.init.blobPath(digest);
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
      if (await exists(target)) {
        await this.removeIngest();
        throw alreadyExists(`content ${digest}`);
      }
      await fs.rename(path.join(this.init.dir, 'data'), target);
      await syncDir(path.dirname(target));
      // From here on the blob is in place; what follows only logs on failure.
      const now = new Date();
      await fs.utimes(target, now, now).catch((err: unknown) => this.init.log.warn('cannot set blob times', { digest, error: err }));
      await this.removeIngest();
      // Read-only, keeping the read bits the umask allowed.
      await fs.chmod(target, stat.mode & 0o777 & ~0o333).catch((err: unknown) =>
        this.init.log.warn('cannot make blob read-only', { digest, error: err }),
      );
      return digest;
    } finally {
      this.init.unlock();
    }
  }

  /** Leaves the ingest resumable: flushes, records updatedat, releases the ref. */
  async close(): Promise<void> {
    const file = this.file;
    if (file === undefined) return;
    this.file = undefined;
    try {
      await file.sync().catch(() => undefined);
      await file.close();
      await writeTimestampFile(path.join(this.init.dir, 'updatedat'), this.updatedAt).catch(() => undefined);
    } finally {
      this.init.unlock();
    }
  }

  private open(): fs.FileHandle {
    if (this.file === undefined) throw failedPrecondition('writer is closed');
    return this.file;
  }

  private async removeIngest(): Promise<void> {
    await fs.rm(this.init.dir, { recursive: true, force: true }).catch((err: unknown) =>
      this.init.log.error('failed to remove ingest directory', { ref: this.init.ref, path: this.init.dir, error: err }),
    );
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Makes a rename durable (the directory entry), best effort. */
async function syncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // not every filesystem lets a directory be fsynced
  } finally {
    await fh?.close();
  }
}
