/**
 * The on-disk content store (content/local/store.go), shared by all
 * namespaces, under <root>/io.containerd.content.v1.content:
 *
 *   blobs/sha256/<hex>           committed blobs, read-only
 *   ingest/<sha256(ref) hex>/    one open write: data, ref, startedat, updatedat, total
 *
 * It knows nothing of namespaces or labels; the metadata content store
 * (store.ts) decides what is visible where. An ingest directory is named by
 * the hash of its ref so that any ref string makes a fixed-length, safe name.
 */
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument, isBerthError, notFound } from '@berth/errors';
import { silentLogger, type Logger } from '../log.js';
import { canonicalAlgorithm, digestProblem, splitDigest } from './digest.js';
import { readString, readTimestampFile, readTotal, writeTimestampFile } from './ingest-files.js';
import { LocalWriter } from './local-writer.js';
import { RefLocks } from './locks.js';
import type { IngestStatus } from './types.js';

export interface BlobStat {
  digest: string;
  size: number;
  createdAt: Date;
  updatedAt: Date;
}

const availableAlgorithms = new Set(['sha256', 'sha384', 'sha512']);

export class LocalStore {
  readonly locks = new RefLocks();

  private constructor(
    readonly root: string,
    private readonly log: Logger,
  ) {}

  static async open(root: string, log: Logger = silentLogger): Promise<LocalStore> {
    await fs.mkdir(path.join(root, 'ingest'), { recursive: true, mode: 0o755 });
    await fs.mkdir(path.join(root, 'blobs'), { recursive: true, mode: 0o755 });
    return new LocalStore(root, log);
  }

  blobPath(digest: string): string {
    const problem = digestProblem(digest);
    if (problem !== undefined) {
      throw invalidArgument(`cannot calculate blob path from invalid digest: ${problem}`);
    }
    const { algorithm, hex } = splitDigest(digest);
    return path.join(this.root, 'blobs', algorithm, hex);
  }

  ingestDir(ref: string): string {
    return path.join(this.root, 'ingest', crypto.createHash('sha256').update(ref).digest('hex'));
  }

  async stat(digest: string): Promise<BlobStat> {
    try {
      const st = await fs.stat(this.blobPath(digest));
      return { digest, size: st.size, createdAt: st.mtime, updatedAt: st.atime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`content ${digest}`, err);
      throw err;
    }
  }

  async exists(digest: string): Promise<boolean> {
    try {
      await this.stat(digest);
      return true;
    } catch (err) {
      if (isBerthError(err, 'NotFound')) return false;
      throw err;
    }
  }

  /** An open file on the blob; the caller closes it. */
  async openBlob(digest: string): Promise<fs.FileHandle> {
    const p = this.blobPath(digest);
    try {
      return await fs.open(p, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw notFound(`blob ${digest} expected at ${p}: ${(err as Error).message}`, err);
      }
      throw err;
    }
  }

  async delete(digest: string): Promise<void> {
    const p = this.blobPath(digest);
    try {
      await fs.unlink(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`content ${digest}`, err);
      throw err;
    }
  }

  /** Every blob on disk, in path order. */
  async *walk(): AsyncGenerator<BlobStat> {
    const blobs = path.join(this.root, 'blobs');
    for (const algorithm of (await readdir(blobs)).sort()) {
      if (!availableAlgorithms.has(algorithm)) continue;
      for (const hex of (await readdir(path.join(blobs, algorithm))).sort()) {
        const digest = `${algorithm}:${hex}`;
        if (digestProblem(digest) !== undefined) {
          this.log.error('invalid digest for blob path', { path: path.join(blobs, algorithm, hex) });
          continue;
        }
        try {
          yield await this.stat(digest);
        } catch (err) {
          if (!isBerthError(err, 'NotFound')) throw err; // removed while walking
        }
      }
    }
  }

  async status(ref: string): Promise<IngestStatus> {
    return this.statusAt(this.ingestDir(ref));
  }

  private async statusAt(dir: string): Promise<IngestStatus> {
    let st;
    try {
      st = await fs.stat(path.join(dir, 'data'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound((err as Error).message, err);
      throw err;
    }
    const ref = await readString(path.join(dir, 'ref'));
    const startedAt = await readTimestampFile(path.join(dir, 'startedat'));
    let updatedAt = await readTimestampFile(path.join(dir, 'updatedat'));
    // updatedat is not written on every write; the data file may be newer.
    if (st.mtime > updatedAt) updatedAt = st.mtime;
    return { ref, offset: st.size, total: await readTotal(path.join(dir, 'total')), startedAt, updatedAt };
  }

  /** The refs of every ingest on disk (unreadable ones are logged and skipped). */
  async ingestRefs(): Promise<string[]> {
    const refs: string[] = [];
    for (const name of await readdir(path.join(this.root, 'ingest'))) {
      const file = path.join(this.root, 'ingest', name, 'ref');
      try {
        refs.push(await fs.readFile(file, 'utf8'));
      } catch (err) {
        this.log.error('failed to read ingest ref', { path: file, error: err });
      }
    }
    return refs;
  }

  /**
   * Begins or resumes the write of `ref`, waiting briefly for its lock
   * (Unavailable if another writer keeps it). Resuming re-hashes what the
   * data file holds, as containerd does.
   */
  async writer(ref: string, total: number): Promise<LocalWriter> {
    await this.locks.lock(ref);
    try {
      return await this.openWriter(ref, total);
    } catch (err) {
      this.locks.unlock(ref);
      throw err;
    }
  }

  private async openWriter(ref: string, total: number): Promise<LocalWriter> {
    const dir = this.ingestDir(ref);
    const data = path.join(dir, 'data');
    let hash = crypto.createHash(canonicalAlgorithm);
    let resumed: IngestStatus | undefined;
    try {
      await fs.mkdir(dir, { mode: 0o755 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        resumed = await this.resume(dir, ref, total, hash);
      } catch (resumeErr) {
        this.log.info('failed to resume the status; will recreate it', { path: dir, error: resumeErr });
        hash = crypto.createHash(canonicalAlgorithm);
      }
    }
    const now = new Date();
    if (resumed === undefined) {
      await fs.writeFile(path.join(dir, 'ref'), ref, { mode: 0o666 });
      await writeTimestampFile(path.join(dir, 'startedat'), now);
      await writeTimestampFile(path.join(dir, 'updatedat'), now);
      if (total > 0) await fs.writeFile(path.join(dir, 'total'), String(total), { mode: 0o666 });
      else await fs.rm(path.join(dir, 'total'), { force: true });
    }
    // O_CREAT without O_TRUNC: a resumed ingest keeps its bytes; a recreated one starts empty.
    const file = await fs.open(data, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o666);
    if (resumed === undefined) await file.truncate(0);
    return new LocalWriter({
      ref,
      dir,
      file,
      hash,
      offset: resumed?.offset ?? 0,
      total: resumed?.total ?? total,
      startedAt: resumed?.startedAt ?? now,
      updatedAt: resumed?.updatedAt ?? now,
      blobPath: (d) => this.blobPath(d),
      unlock: () => this.locks.unlock(ref),
      log: this.log,
    });
  }

  private async resume(dir: string, ref: string, total: number, hash: crypto.Hash): Promise<IngestStatus> {
    const status = await this.statusAt(dir);
    if (status.ref !== ref) throw new Error(`ref key does not match: ${ref} != ${status.ref}`);
    if (total > 0 && status.total > 0 && total !== status.total) {
      throw new Error(`provided total differs from status: ${total} != ${status.total}`);
    }
    let offset = 0;
    for await (const chunk of createReadStream(path.join(dir, 'data'), { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      offset += (chunk as Buffer).length;
    }
    return { ...status, offset };
  }

  /** Removes an ingest (NotFound when there is none). */
  async abort(ref: string): Promise<void> {
    const dir = this.ingestDir(ref);
    try {
      await fs.access(dir);
    } catch (err) {
      throw notFound(`ingest ref ${JSON.stringify(ref)}`, err);
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function readdir(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
