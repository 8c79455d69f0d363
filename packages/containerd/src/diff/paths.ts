/**
 * Where a tar entry lands, without ever leaving the target directory.
 *
 * - Entry names are archive-relative: a leading '/' is dropped, '.' parts
 *   vanish, and a name whose '..' parts climb above the root is rejected
 *   (containerd silently clamps it; we refuse the layer).
 * - The parent directory is resolved inside the root the way the container
 *   will see it (secureJoin): every symlink met on the way, absolute or
 *   relative, is followed relative to the root and '..' stops at the root,
 *   so a layer's `link -> /etc` followed by `link/passwd` writes
 *   <root>/etc/passwd, never the host's (CVE-2018-15664 and kin). The last
 *   component is never followed: an existing symlink there is replaced.
 *
 * Resolution is string-based over lstat/readlink (containerd's fs.RootPath).
 * The design prefers openat2(RESOLVE_IN_ROOT) from a native helper; this is
 * equivalent here because only the applier writes in the target while a
 * layer is applied (a fresh, root-only snapshot directory), and entries are
 * handled one at a time, so nothing changes between resolving and writing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '@berth/errors';

const maxLinks = 255;

/** The cleaned relative name ('' for the root itself); InvalidArgument when it climbs out. */
export function cleanEntryName(name: string, what = 'path'): string {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw invalidArgument(`${what} ${JSON.stringify(name)} escapes the layer root`);
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out.join('/');
}

function readlink(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null; // not a link, or not there yet
  }
}

/** `rel` resolved inside `root`, following symlinks as the container would, never above `root`. */
export function secureJoin(root: string, rel: string): string {
  const pending = rel.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const target = readlink(path.join(root, ...resolved, part));
    if (target === null) {
      resolved.push(part);
      continue;
    }
    if (++links > maxLinks) throw invalidArgument(`${rel}: too many levels of symbolic links`);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
  }
  return path.join(root, ...resolved);
}

/** The host path for an entry: its parent resolved in the root, its last component as is. */
export function entryPath(root: string, clean: string): { parent: string; base: string; full: string } {
  const slash = clean.lastIndexOf('/');
  const parent = slash < 0 ? root : secureJoin(root, clean.slice(0, slash));
  const base = clean.slice(slash + 1);
  return { parent, base, full: path.join(parent, base) };
}
