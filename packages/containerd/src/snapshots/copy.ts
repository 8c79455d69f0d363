/**
 * Copies a directory tree with `cp -a` semantics (GNU cp: owners, modes,
 * times, symlinks as links, hard links kept together, device nodes and fifos,
 * xattrs where the filesystem allows; --preserve=all does not fail on xattrs
 * it cannot set, like containerd's copy that ignores security.* errors).
 * --reflink=auto shares blocks on filesystems that can (btrfs, xfs).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { internal } from '@berth/errors';

const run = promisify(execFile);

/** Copies the contents of `src` into the existing directory `dst` (and `src`'s own attributes onto `dst`). */
export async function copyTree(src: string, dst: string): Promise<void> {
  try {
    await run('cp', ['-a', '--reflink=auto', '--', `${src}/.`, `${dst}/`], { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw internal(`copying of parent failed: ${stderr || String(err)}`, err);
  }
}
