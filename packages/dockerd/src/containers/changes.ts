/**
 * GET /containers/{id}/changes (docker diff): read off the container
 * snapshot's overlay upper dir, as moby's overlay driver does
 * (archive.OverlayChanges), without mounting anything:
 * - a 0/0 character device is a whiteout: the path was deleted (2),
 * - anything else is added (1), or modified (0) when a lower layer has the
 *   path (a directory whose size, mode and mtime are unchanged is not
 *   reported itself, only walked),
 * - an opaque directory (trusted.overlay.opaque=y) hides the lower
 *   layers' entries below it: those the upper dir does not have are deleted,
 * - the parent of an added or deleted path is reported as modified once.
 * The mount points docker keeps in its init layer (/etc/hosts, /proc, ...;
 * runc creates them in the upper dir here) are not changes, nor is a
 * directory modified only by them, as docker never shows them.
 * Walk order is lexical, parents before children, which is the order
 * `docker diff` prints. Lower layers are looked up component by component
 * with lstat, a link or non-directory on the way ending the search, so
 * nothing here follows a link the image or the container planted.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as xattr from '@napi-rs/xattr';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import { snapshotMounts } from './rootfs-access.js';
import { layerDirs } from './spec/rootfs-files.js';

export interface Change {
  Path: string;
  Kind: 0 | 1 | 2;
}

/** moby's initlayer: mount points every container gets. */
const initPaths = new Set(['/dev', '/dev/pts', '/dev/shm', '/dev/console', '/proc', '/sys', '/.dockerenv', '/etc/resolv.conf', '/etc/hosts', '/etc/hostname', '/etc/mtab']);

const isWhiteout = (st: Stats): boolean => st.isCharacterDevice() && st.rdev === 0;

function isOpaque(p: string): boolean {
  try {
    return xattr.getAttributeSync(p, 'trusted.overlay.opaque')?.toString() === 'y';
  } catch {
    return false;
  }
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await fs.lstat(p);
  } catch {
    return null;
  }
}

/** The path's stat in the union of `lowers` (top first), or null when they don't have it. */
export async function lowerStat(lowers: string[], rel: string): Promise<Stats | null> {
  const parts = rel.split('/').filter(Boolean);
  for (const layer of lowers) {
    let p = layer;
    for (const [i, part] of parts.entries()) {
      p = path.join(p, part);
      const st = await lstatOrNull(p);
      if (st === null) break; // not in this layer: look below
      if (isWhiteout(st)) return null;
      if (i === parts.length - 1) return st;
      if (!st.isDirectory()) return null; // a non-directory hides everything below it
      if (isOpaque(p)) {
        const rest = parts.slice(i + 1).join('/');
        return lowerStat([p], rest);
      }
    }
  }
  return null;
}

/** The names a directory has in the union of `lowers`. */
async function lowerNames(lowers: string[], rel: string): Promise<string[]> {
  const names = new Set<string>();
  const hidden = new Set<string>();
  for (const layer of lowers) {
    const dir = path.join(layer, rel);
    const st = await lowerStat([layer], rel);
    if (st === null || !st.isDirectory()) continue;
    for (const name of await fs.readdir(dir)) {
      if (hidden.has(name)) continue;
      const child = await fs.lstat(path.join(dir, name));
      if (isWhiteout(child)) hidden.add(name);
      else names.add(name);
    }
    if (isOpaque(dir)) break;
  }
  return [...names].sort();
}

export async function containerChanges(e: Engine, c: Container): Promise<Change[]> {
  const [upper, ...lowers] = layerDirs(await snapshotMounts(e, c));
  if (upper === undefined) return [];
  const out: Change[] = [];
  const changedDirs = new Set<string>();
  const record = (ch: Change) => {
    const parent = path.posix.dirname(ch.Path);
    if ((ch.Kind === 1 || ch.Kind === 2) && parent !== '/' && !changedDirs.has(parent)) {
      out.push({ Path: parent, Kind: 0 });
      changedDirs.add(parent);
    }
    out.push(ch);
  };
  const walk = async (rel: string): Promise<void> => {
    const names = (await fs.readdir(path.join(upper, rel))).sort();
    for (const name of names) {
      const p = path.posix.join('/', rel, name);
      if (initPaths.has(p)) continue;
      const host = path.join(upper, p);
      const st = await fs.lstat(host);
      if (isWhiteout(st)) {
        record({ Path: p, Kind: 2 });
        continue;
      }
      const below = await lowerStat(lowers, p);
      const sameDir = below !== null && below.isDirectory() && st.isDirectory()
        && below.size === st.size && below.mode === st.mode && below.mtimeMs === st.mtimeMs;
      const mark = out.length;
      if (!sameDir) record({ Path: p, Kind: below === null ? 1 : 0 });
      if (!st.isDirectory()) continue;
      changedDirs.add(p);
      await walk(p);
      const children = await fs.readdir(host);
      const onlyInit = children.length > 0 && children.every((n) => initPaths.has(path.posix.join(p, n)));
      if (below?.isDirectory() && onlyInit && out.length === mark + 1) {
        out.splice(mark);
        changedDirs.delete(p);
      }
      if (below !== null && below.isDirectory() && isOpaque(host)) {
        const kept = new Set(await fs.readdir(host));
        for (const gone of await lowerNames(lowers, p)) {
          if (!kept.has(gone)) record({ Path: path.posix.join(p, gone), Kind: 2 });
        }
      }
    }
  };
  await walk('/');
  return out;
}
