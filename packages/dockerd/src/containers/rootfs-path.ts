/**
 * Paths inside a container's root, resolved the way the container sees them.
 * Every symlink met on the way, absolute or relative, is read with readlink
 * and followed relative to the container root; `..` stops at the root. The
 * host path that comes out has no symlink left in it, so a later lstat or
 * open never leaves the root through a link the container planted
 * (CVE-2018-15664: `docker cp` following /evil -> / to the host's files).
 * The caller keeps the tree still while it works (the container is frozen or
 * not running, see rootfs-access.ts), so nothing changes between the
 * resolution and the use: that is what stands in for openat2(RESOLVE_IN_ROOT)
 * here, which Node cannot call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '@berth/errors';

const maxLinks = 255;

/** `p` as an absolute, clean container path ('..' clamped at '/'). */
export function cleanAbs(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

function readlink(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null; // not a link, or not there
  }
}

export interface Resolved {
  /** Where it is on the host (below root). */
  host: string;
  /** Where it is in the container, absolute and with every link evaluated. */
  inRoot: string;
}

/** `abs` resolved inside `root`, every component (the last one too) followed as the container would. */
export function resolveInRoot(root: string, abs: string): Resolved {
  const pending = abs.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const target = readlink(path.join(root, ...done, part));
    if (target === null) {
      done.push(part);
      continue;
    }
    if (++links > maxLinks) throw invalidArgument(`${abs}: too many levels of symbolic links`);
    if (target.startsWith('/')) done.length = 0;
    pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
  }
  return { host: path.join(root, ...done), inRoot: `/${done.join('/')}` };
}

/**
 * moby's Container.ResolvePath: the directory part resolved in the root, the
 * last element kept as it is (so a symlink there is the link itself).
 * `/` and names ending in `/.` or `/` resolve whole.
 */
export function resolveParentInRoot(root: string, requested: string): Resolved & { base: string } {
  const abs = cleanAbs(requested);
  if (abs === '/') return { ...resolveInRoot(root, '/'), base: '/' };
  const base = path.posix.basename(abs);
  const dir = resolveInRoot(root, path.posix.dirname(abs));
  return { host: path.join(dir.host, base), inRoot: path.posix.join(dir.inRoot, base), base };
}

/** Whether the client's path asks for a directory's contents (`dir/.`) or insists on a directory (`dir/`). */
export const endsWithDot = (p: string): boolean => p === '.' || p.endsWith('/.');
export const endsWithSlash = (p: string): boolean => p.endsWith('/');
