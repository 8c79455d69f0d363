/**
 * Creates the missing directories above an entry (a layer need not list
 * every parent). Applied straight into an overlay upper, a directory made
 * here would hide the attributes of the same directory below, so it takes
 * them (mode, owner, times, xattrs) from the nearest lower layer that has
 * it (containerd's mkparent with parents); otherwise it is 0755 root.
 * trusted.* is never copied (containerd's copyUpXAttrs): an overlay opaque
 * flag would hide the lowers.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { getXattr, listXattrs, setXattr } from './fsops.js';
import { secureJoin } from './paths.js';

async function copyDirInfo(dir: string, from: string): Promise<boolean> {
  const st = await fs.lstat(from).catch(() => undefined);
  if (st === undefined) return false;
  if (!st.isDirectory()) return true; // replaced below: no attributes to take, and stop looking
  await fs.lchown(dir, st.uid, st.gid);
  await fs.chmod(dir, st.mode & 0o7777);
  await fs.lutimes(dir, st.atime, st.mtime);
  for (const name of listXattrs(from)) {
    if (name.startsWith('trusted.')) continue;
    const value = getXattr(from, name);
    if (value !== undefined) {
      try {
        setXattr(dir, name, value);
      } catch {
        // best effort, as a copy-up of security.* may be refused
      }
    }
  }
  return true;
}

/** `dir` (already resolved inside `root`) and its missing ancestors, as directories. */
export async function mkparent(dir: string, root: string, parents: readonly string[]): Promise<void> {
  const st = await fs.lstat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (st !== undefined) {
    if (st.isDirectory()) return;
    throw Object.assign(new Error(`mkparent ${dir}: not a directory`), { code: 'ENOTDIR' });
  }
  const up = path.dirname(dir);
  if (up !== root && up.length > root.length) await mkparent(up, root, parents);
  await fs.mkdir(dir, { mode: 0o755 });
  const rel = path.relative(root, dir);
  for (const lower of parents) if (await copyDirInfo(dir, secureJoin(lower, rel))) return;
}
