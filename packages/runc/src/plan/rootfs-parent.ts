/**
 * runc's rootfsParentMountPrivate: the mount that holds the rootfs directory
 * must not be shared when the rootfs is bind-mounted onto itself and pivoted
 * into. pivot_root(2) fails with EINVAL when the new root's parent mount is
 * shared, and a bind mount made under a shared parent propagates to the host's
 * mount namespace (a leaked mount per container). With
 * linux.rootfsPropagation "shared"/"rshared" the container's "/" is shared, so
 * runc makes the parent mount (only it, not recursively) private first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MS_REC, MS_SHARED } from '../spec/mount-options.js';

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** The mount point holding `dir` (the top one when mounts are stacked) and its optional fields. */
export function parentMount(dir: string, mountinfo: string): { mountPoint: string; optional: string[] } | undefined {
  let best: { mountPoint: string; optional: string[] } | undefined;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const f = line.slice(0, sep).split(' ');
    if (f.length < 6) continue;
    const mp = unescape(f[4]!);
    const inside = mp === '/' || dir === mp || dir.startsWith(`${mp}/`);
    if (!inside) continue;
    if (!best || mp.length >= best.mountPoint.length) best = { mountPoint: mp, optional: f.slice(6) };
  }
  return best;
}

/**
 * The mount point to make private before binding the rootfs, or undefined when
 * its parent mount will not be shared once "/" got `propagation` (the flags
 * from linux.rootfsPropagation) in the container's mount namespace.
 */
export function rootfsParentToPrivatize(rootfs: string, propagation: number, mountinfo?: string): string | undefined {
  let text = mountinfo;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    } catch {
      return undefined;
    }
  }
  const parent = parentMount(path.resolve(rootfs), text);
  if (!parent) return undefined;
  const changed = parent.mountPoint === '/' || (propagation & MS_REC) !== 0;
  const shared = changed ? (propagation & MS_SHARED) !== 0 : parent.optional.some((o) => o.startsWith('shared:'));
  return shared ? parent.mountPoint : undefined;
}
