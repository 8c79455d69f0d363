/**
 * Writing COPY/ADD sources into a step's root: every target's parent
 * resolved inside the root (links followed as the container would see them,
 * never to the host), what is in the way of a file replaced, owners set to
 * root or --chown's, modes and mtimes kept. ADD unpacks a local tar (plain or
 * gzip) into the destination instead of copying it.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { invalidArgument } from '@berth/errors';
import { resolveInRoot } from '../containers/rootfs-path.js';
import { extractTar } from '../containers/tar-extract.js';
import type { Source } from './copy-sources.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** A directory at `inRoot` (absolute, in the container), made with its missing parents. */
async function mkdirIn(root: string, inRoot: string, owner: Owner | undefined): Promise<string> {
  const r = resolveInRoot(root, inRoot);
  const st = await fs.lstat(r.host).catch(() => null);
  if (st && !st.isDirectory()) throw invalidArgument(`failed to copy files: mkdir ${inRoot}: not a directory`);
  if (!st) {
    await fs.mkdir(r.host, { recursive: true, mode: 0o755 });
    if (owner) await fs.lchown(r.host, owner.uid, owner.gid);
  }
  return r.host;
}

async function copyNode(srcHost: string, root: string, destInRoot: string, owner: Owner, top: boolean): Promise<void> {
  const st = top ? await fs.stat(srcHost) : await fs.lstat(srcHost);
  if (st.isDirectory()) {
    const host = await mkdirIn(root, destInRoot, undefined);
    if (!top) {
      await fs.chmod(host, st.mode & 0o7777);
      await fs.lchown(host, owner.uid, owner.gid);
    }
    for (const n of (await fs.readdir(srcHost)).sort()) await copyNode(path.join(srcHost, n), root, path.posix.join(destInRoot, n), owner, false);
    if (!top) await fs.utimes(host, st.atime, st.mtime);
    return;
  }
  const parent = await mkdirIn(root, path.posix.dirname(destInRoot), undefined);
  const target = path.join(parent, path.posix.basename(destInRoot));
  const old = await fs.lstat(target).catch(() => null);
  if (old) await fs.rm(target, { recursive: true, force: true });
  if (st.isSymbolicLink()) {
    await fs.symlink(await fs.readlink(srcHost), target);
    await fs.lchown(target, owner.uid, owner.gid);
    return;
  }
  if (!st.isFile()) return;
  await fs.copyFile(srcHost, target);
  await fs.chmod(target, st.mode & 0o7777);
  await fs.lchown(target, owner.uid, owner.gid);
  await fs.utimes(target, st.atime, st.mtime);
}

/** A local tar (plain or gzip), told by its first bytes. */
async function archiveKind(host: string): Promise<'tar' | 'gzip' | undefined> {
  const fh = await fs.open(host, 'r');
  try {
    const b = Buffer.alloc(512);
    const { bytesRead } = await fh.read(b, 0, 512, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally {
    await fh.close();
  }
}

export interface CopyPlan {
  sources: Source[];
  /** The destination, absolute in the container (a trailing / kept). */
  dest: string;
  owner: Owner;
  /** ADD: unpack local archives. */
  unpack: boolean;
  what: string;
}

export async function copyInto(root: string, p: CopyPlan): Promise<void> {
  const multi = p.sources.length > 1;
  const destIsDirName = p.dest.endsWith('/') || p.dest.endsWith('/.');
  if (multi && !destIsDirName) throw invalidArgument(`When using ${p.what} with more than one source file, the destination must be a directory and end with a /`);
  const destClean = path.posix.normalize(p.dest);
  const existing = await fs.stat(resolveInRoot(root, destClean).host).catch(() => null);
  const destIsDir = destIsDirName || existing?.isDirectory() === true;
  for (const s of p.sources) {
    if (s.stat.isDirectory()) {
      await mkdirIn(root, destClean, p.owner);
      await copyNode(s.host, root, destClean, p.owner, true);
      continue;
    }
    const kind = p.unpack ? await archiveKind(s.host) : undefined;
    if (kind) {
      const dir = resolveInRoot(root, destClean);
      await mkdirIn(root, destClean, undefined);
      const input = createReadStream(s.host);
      await extractTar(kind === 'gzip' ? input.pipe(createGunzip()) : input, { root, dir: dir.inRoot, noOverwriteDirNonDir: false });
      continue;
    }
    const target = destIsDir ? path.posix.join(destClean, path.posix.basename(s.rel)) : destClean;
    if (destIsDir) await mkdirIn(root, destClean, undefined);
    await copyNode(s.host, root, target, p.owner, true);
  }
}
