/**
 * The changes between two directory trees (continuity's fs.Changes, double
 * walk): paths in `upper` and not in `lower` are added, paths in both that
 * differ are modified, paths only in `lower` are deleted (a deleted
 * directory is one change, its contents are not listed). Emitted in path
 * order. "Differ" is containerd's sameFile: mode, owner and device numbers,
 * the security.capability xattr, and for non-directories size and mtime;
 * when both mtimes have whole seconds (a tar truncated them) the contents
 * or link targets are compared instead.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BigIntStats } from 'node:fs';
import { getXattr } from './fsops.js';

export type ChangeKind = 'add' | 'modify' | 'delete';

export interface Change {
  kind: ChangeKind;
  /** Relative to the roots, '/'-separated, no leading slash. */
  path: string;
  /** The upper file's stat (undefined for deletions). */
  stat?: BigIntStats;
}

async function lstat(p: string): Promise<BigIntStats | undefined> {
  return fs.lstat(p, { bigint: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

async function names(dir: string | undefined): Promise<string[]> {
  if (dir === undefined) return [];
  return fs.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
    throw err;
  });
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([fs.open(a), fs.open(b)]);
  try {
    const ba = Buffer.alloc(64 * 1024);
    const bb = Buffer.alloc(64 * 1024);
    for (;;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, ba.length), fb.read(bb, 0, bb.length)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

export async function sameFile(pa: string, a: BigIntStats, pb: string, b: BigIntStats): Promise<boolean> {
  if (a.dev === b.dev && a.ino === b.ino) return true;
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return false;
  const capA = getXattr(pa, 'security.capability');
  const capB = getXattr(pb, 'security.capability');
  if ((capA === undefined) !== (capB === undefined) || (capA !== undefined && capB !== undefined && !capA.equals(capB))) return false;
  if (a.isDirectory()) return true;
  if (a.size !== b.size) return false;
  const second = 1_000_000_000n;
  if (a.mtimeNs / second !== b.mtimeNs / second) return false;
  if (a.mtimeNs % second === 0n && b.mtimeNs % second === 0n) {
    if (a.isSymbolicLink()) return (await fs.readlink(pa)) === (await fs.readlink(pb));
    if (a.size === 0n || !a.isFile()) return true;
    return sameContent(pa, pb);
  }
  return a.mtimeNs === b.mtimeNs;
}

/** Calls `emit` for every change from `lower` to `upper`, in path order. */
export async function changes(lower: string, upper: string, emit: (c: Change) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const walk = async (rel: string, inLower: boolean, inUpper: boolean): Promise<void> => {
    const dl = inLower ? path.join(lower, rel) : undefined;
    const du = inUpper ? path.join(upper, rel) : undefined;
    const all = [...new Set([...(await names(dl)), ...(await names(du))])].sort();
    for (const name of all) {
      signal?.throwIfAborted();
      const p = rel === '' ? name : `${rel}/${name}`;
      const sl = dl === undefined ? undefined : await lstat(path.join(dl, name));
      const su = du === undefined ? undefined : await lstat(path.join(du, name));
      if (su === undefined) {
        if (sl !== undefined) await emit({ kind: 'delete', path: p });
        continue;
      }
      if (sl === undefined) {
        await emit({ kind: 'add', path: p, stat: su });
      } else if (!(await sameFile(path.join(lower, p), sl, path.join(upper, p), su))) {
        await emit({ kind: 'modify', path: p, stat: su });
      }
      if (su.isDirectory()) await walk(p, sl?.isDirectory() === true, true);
    }
  };
  await walk('', true, true);
}
