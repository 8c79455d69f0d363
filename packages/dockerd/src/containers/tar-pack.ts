/**
 * Streams a tree of the host (a container root, already resolved) as a tar in
 * the shape docker's archive package writes: names relative and rooted at
 * the name the caller gives (`etc/`, `etc/passwd`; or `./...`), directories
 * with a trailing slash, symlinks as links (never followed), hard links as
 * link entries to the first name written, devices and fifos as such, owner
 * and mode from lstat. Long names go out as PAX records (tar-stream).
 * Pseudo filesystems (proc, sysfs, cgroup, ...) seen through a running
 * container's /proc/<pid>/root are written as empty directories.
 */
import { constants, type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import * as tarStream from 'tar-stream';

type Header = Partial<tarStream.Header> & Pick<tarStream.Header, 'name'>;

const major = (rdev: bigint) => Number((rdev >> 8n) & 0xfffn);
const minor = (rdev: bigint) => Number((rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n));

/** statfs magic numbers of the kernel's pseudo filesystems. */
const pseudoFs = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x1cd1, 0x19800202, 0x73636673, 0x64626720, 0x74726163, 0xcafe4a11, 0x6e736673]);

export class TreePacker {
  private readonly pack = tarStream.pack();
  private readonly inodes = new Map<string, string>();
  private readonly pending = new Set<(err: Error) => void>();
  private failed: Error | undefined;
  private readonly finished: Promise<void>;

  /** Streams into `out`; a client that goes away mid-tar fails every pending and later add. */
  constructor(out: Writable) {
    this.finished = new Promise<void>((resolve, reject) => {
      out.once('finish', resolve);
      out.once('error', reject);
      out.once('close', () => {
        if (out.writableFinished) return resolve();
        const err = new Error('the client closed the connection before the end of the tar');
        this.abort(err);
        reject(err);
      });
    });
    this.finished.catch(() => undefined);
    (this.pack as unknown as NodeJS.ReadableStream).pipe(out);
  }

  private abort(err: Error): void {
    this.failed = err;
    this.pack.destroy(err);
    for (const reject of this.pending) reject(err);
    this.pending.clear();
  }

  private entry(h: Header, body?: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.pending.add(reject);
      const done = (err?: Error | null) => {
        this.pending.delete(reject);
        if (err) reject(err);
        else resolve();
      };
      if (body === undefined) {
        this.pack.entry(h, done);
        return;
      }
      const sink = this.pack.entry(h, done);
      void (async () => {
        try {
          for await (const chunk of body) {
            if (this.failed) throw this.failed;
            if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
          }
          sink.end(undefined);
        } catch (err) {
          sink.destroy(err as Error);
          done(err as Error);
        }
      })();
    });
  }

  private async header(host: string, name: string, st: BigIntStats): Promise<Header | undefined> {
    const base = { name, mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), mtime: new Date(Number(st.mtimeMs)) };
    if (st.isDirectory()) return { ...base, name: name.endsWith('/') ? name : `${name}/`, type: 'directory' };
    if (st.isSymbolicLink()) return { ...base, type: 'symlink', linkname: await fs.readlink(host) };
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      return { ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) };
    }
    if (st.isFIFO()) return { ...base, type: 'fifo' };
    if (!st.isFile()) return undefined; // sockets are not archived
    if (st.nlink > 1n) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.inodes.get(key);
      if (first !== undefined) return { ...base, type: 'link', linkname: first, size: 0 };
      this.inodes.set(key, name);
    }
    return { ...base, type: 'file', size: Number(st.size) };
  }

  /**
   * Adds `host` under `name`, and what is below it when it is a directory.
   * An empty `name` is the root of the archive: no entry, children at top level.
   * A directory reached through `follow` is archived as a directory.
   */
  async add(host: string, name: string, follow = false): Promise<void> {
    // `follow` for a container root that is /proc/<pid>/root, a link to the root itself
    const st = follow ? await fs.stat(host, { bigint: true }) : await fs.lstat(host, { bigint: true });
    if (name !== '') {
      const h = await this.header(host, name, st);
      if (h === undefined) return;
      if (h.type === 'file') {
        // O_NOFOLLOW: the name was checked to be a regular file; never open a link put in its place
        const handle = await fs.open(host, constants.O_RDONLY | constants.O_NOFOLLOW);
        const size = h.size ?? 0;
        if (size === 0) {
          await handle.close();
          await this.entry(h, (async function* () { /* empty */ })());
        } else {
          await this.entry(h, handle.createReadStream({ start: 0, end: size - 1 }) as AsyncIterable<Uint8Array>);
        }
      } else {
        await this.entry(h);
      }
    }
    if (!st.isDirectory()) return;
    if (pseudoFs.has(Number((await fs.statfs(host)).type))) return;
    const children = (await fs.readdir(host)).sort();
    for (const child of children) {
      const childName = name === '' ? child : `${name.replace(/\/$/, '')}/${child}`;
      await this.add(path.join(host, child), childName);
    }
  }

  /** Ends the tar and waits until the client has it all. */
  async finish(): Promise<void> {
    if (this.failed) throw this.failed;
    this.pack.finalize();
    await this.finished;
  }
}
