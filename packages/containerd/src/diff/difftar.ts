/**
 * Writes changes as an OCI layer tar (containerd's archive.ChangeWriter):
 * additions and modifications as full entries read from the upper tree
 * (hard links within the diff as link entries to the first path written),
 * deletions as `.wh.<name>` whiteouts; the parent directories of every
 * change are written first, taken from the upper tree. xattrs travel as
 * SCHILY.xattr.* except trusted.* (overlay's own, and never applied from a
 * layer) and SELinux labels, which belong to the host; containerd writes
 * only security.capability.
 */
import { createReadStream, type BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Change } from './changes.js';
import { getXattr, listXattrs } from './fsops.js';
import type { EntryType } from './tarread.js';
import type { TarWriter, WriteHeader } from './tarwrite.js';
import { whiteoutPrefix } from './whiteouts.js';

const major = (rdev: bigint) => Number((rdev >> 8n) & 0xfffn);
const minor = (rdev: bigint) => Number((rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n));

function typeOf(st: BigIntStats): EntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are not archived
}

function xattrsOf(p: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of listXattrs(p)) {
    if (name.startsWith('trusted.') || name === 'security.selinux') continue;
    const v = getXattr(p, name);
    if (v !== undefined) out.set(name, v);
  }
  return out;
}

export class ChangeWriter {
  private readonly written = new Set<string>();
  /** "dev:ino" -> first path written, for hard links. */
  private readonly inodes = new Map<string, string>();

  constructor(
    private readonly tar: TarWriter,
    private readonly upper: string,
  ) {}

  private async header(rel: string, st: BigIntStats): Promise<WriteHeader | undefined> {
    const type = typeOf(st);
    if (type === undefined) return undefined;
    const full = path.join(this.upper, rel);
    const h: WriteHeader = {
      name: type === 'directory' ? `${rel}/` : rel,
      type,
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: new Date(Number(st.mtimeMs)),
      xattrs: xattrsOf(full),
    };
    if (type === 'symlink') h.linkname = await fs.readlink(full);
    if (type === 'character-device' || type === 'block-device') {
      h.devmajor = major(st.rdev);
      h.devminor = minor(st.rdev);
    }
    if (type === 'file') {
      const key = `${st.dev}:${st.ino}`;
      const first = this.inodes.get(key);
      if (st.nlink > 1n && first !== undefined) return { ...h, type: 'link', linkname: first };
      if (st.nlink > 1n) this.inodes.set(key, rel);
      h.size = Number(st.size);
    }
    return h;
  }

  /** Writes the directories above `rel` that are not in the tar yet. */
  private async parents(rel: string): Promise<void> {
    const parts = rel.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.written.has(dir)) continue;
      const h = await this.header(dir, await fs.lstat(path.join(this.upper, dir), { bigint: true }));
      if (h !== undefined) await this.tar.add(h);
      this.written.add(dir);
    }
  }

  async handle(c: Change): Promise<void> {
    await this.parents(c.path);
    if (c.kind === 'delete') {
      const dir = path.posix.dirname(c.path);
      const name = `${dir === '.' ? '' : `${dir}/`}${whiteoutPrefix}${path.posix.basename(c.path)}`;
      await this.tar.add({ name, type: 'file', mode: 0, size: 0, mtime: new Date(0) }, Buffer.alloc(0));
      return;
    }
    const h = await this.header(c.path, c.stat!);
    if (h === undefined) return;
    this.written.add(c.path);
    if (h.type === 'file') await this.tar.add(h, createReadStream(path.join(this.upper, c.path)));
    else await this.tar.add(h);
  }
}
