/**
 * Applies an OCI layer tar to a directory (the image-spec's "applying
 * changesets", containerd's archive.Apply): entries are written in order,
 * preserving type, uid/gid, mode (with setuid/setgid/sticky), mtime,
 * symlinks, hard links, device nodes and fifos, and SCHILY.xattr.* xattrs
 * (except trusted.*, as containerd).
 * Whiteouts (.wh.<name>, .wh..wh..opq) go through a Whiteouts strategy:
 * overlay upper directories get whiteout devices and the opaque xattr,
 * plain directories get deletions (whiteouts.ts). Paths never leave the
 * root (paths.ts); a hard link must name something already inside it.
 * Directory times are set last, since writing into a directory changes them.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { invalidArgument } from '@berth/errors';
import { silentLogger, type Logger } from '../log.js';
import { EPERM, ENOTSUP, mknod, setXattr, xattrErrno } from './fsops.js';
import { mkparent } from './mkparent.js';
import { cleanEntryName, entryPath, secureJoin } from './paths.js';
import { readTar, type EntryBody, type TarHeader } from './tarread.js';
import { naiveWhiteouts, overlayWhiteouts, whiteoutPrefix, type Whiteouts } from './whiteouts.js';

export interface ApplyTarOptions {
  /** 'overlay' when `root` is an overlay upper directory, else 'naive' (deletions). */
  whiteouts: 'overlay' | 'naive';
  /** The lower directories under an overlay upper, nearest first (for attributes of parents made implicitly). */
  parents?: string[];
  signal?: AbortSignal;
  log?: Logger;
}

async function lstat(p: string) {
  return fs.lstat(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

async function setXattrs(full: string, h: TarHeader, log: Logger): Promise<void> {
  for (const [name, value] of h.xattrs) {
    // Never from a layer: trusted.overlay.* (redirect, metacopy, opaque) would
    // steer overlayfs itself. containerd skips the whole trusted.* namespace too.
    if (name.startsWith('trusted.')) continue;
    try {
      setXattr(full, name, value);
    } catch (err) {
      const errno = xattrErrno(err);
      // user.* xattrs are only allowed on files and directories; some filesystems have none at all.
      if (errno === ENOTSUP || (errno === EPERM && name.startsWith('user.') && h.type !== 'file' && h.type !== 'directory')) {
        log.warn('ignored xattr in archive', { path: h.name, xattr: name, error: err });
        continue;
      }
      throw invalidArgument(`failed to setxattr ${JSON.stringify(h.name)} for key ${JSON.stringify(name)}: ${(err as Error).message}`, err);
    }
  }
}

async function createEntry(root: string, full: string, h: TarHeader, body: EntryBody): Promise<void> {
  switch (h.type) {
    case 'directory': {
      const st = await lstat(full);
      if (st === undefined || !st.isDirectory()) await fs.mkdir(full, { mode: h.mode });
      return;
    }
    case 'file':
    case 'contiguous-file': {
      // O_EXCL|O_NOFOLLOW: whatever was there has been removed; never write through a link.
      const fh = await fs.open(full, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, h.mode);
      try {
        for await (const chunk of body) await fh.write(chunk);
      } finally {
        await fh.close();
      }
      return;
    }
    case 'link': {
      const clean = cleanEntryName(h.linkname, 'hard link target');
      const target = entryPath(root, clean).full;
      const st = await lstat(target);
      if (clean === '' || st === undefined || st.isDirectory()) {
        throw invalidArgument(`hard link ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}: target is not a file in the layer`);
      }
      await fs.link(target, full);
      return;
    }
    case 'symlink':
      await fs.symlink(h.linkname, full);
      return;
    case 'character-device':
    case 'block-device':
    case 'fifo':
      await mknod(full, h.type === 'fifo' ? 'p' : h.type === 'block-device' ? 'b' : 'c', h.devmajor, h.devminor, h.mode);
      return;
    default:
      throw invalidArgument(`unhandled tar header type ${JSON.stringify(h.type)} for ${JSON.stringify(h.name)}`);
  }
}

/** Writes the layer under `root`; returns the sum of entry sizes (containerd's applied size). */
export async function applyTar(root: string, input: Readable, o: ApplyTarOptions): Promise<{ size: number }> {
  const log = o.log ?? silentLogger;
  const parents = o.parents ?? [];
  const unpacked = new Set<string>();
  const whiteouts: Whiteouts = o.whiteouts === 'overlay' ? overlayWhiteouts() : naiveWhiteouts(unpacked);
  const dirs: Array<{ clean: string; mtime: Date }> = [];
  let size = 0;

  for await (const { header: h, body, failure } of readTar(input)) {
    let consumed = false;
    try {
      o.signal?.throwIfAborted();
      size += h.size;
      const clean = cleanEntryName(h.name);
      if (clean === '') continue; // the root itself, as containerd ignores it
      const { parent, base, full } = entryPath(root, clean);
      if (parent !== root) await mkparent(parent, root, parents);

      if (base.startsWith(whiteoutPrefix)) {
        await whiteouts.apply(parent, base, h);
        continue;
      }
      const existing = await lstat(full);
      if (existing !== undefined && !(existing.isDirectory() && h.type === 'directory')) {
        await fs.rm(full, { recursive: true, force: true });
      }
      consumed = h.type === 'file' || h.type === 'contiguous-file';
      await createEntry(root, full, h, body).catch((err: unknown) => {
        throw failure() ?? err;
      });

      await fs.lchown(full, h.uid, h.gid);
      await setXattrs(full, h, log);
      // After chown, which clears setuid. Never through a link (a hard link may name a symlink).
      if (!(await fs.lstat(full)).isSymbolicLink()) await fs.chmod(full, h.mode);
      if (h.type === 'directory') dirs.push({ clean, mtime: h.mtime });
      else await fs.lutimes(full, h.mtime, h.mtime);
      unpacked.add(full);
    } finally {
      if (!consumed) body.resume();
    }
  }
  // Resolved again: a later entry may have replaced a parent by a symlink.
  for (const d of dirs) {
    const full = secureJoin(root, d.clean);
    if ((await lstat(full))?.isDirectory()) await fs.lutimes(full, d.mtime, d.mtime);
  }
  return { size };
}
