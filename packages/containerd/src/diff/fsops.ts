/**
 * The few file operations Node has no call for. mknod(2) (device nodes,
 * fifos, overlay whiteouts) runs coreutils' `mknod`; extended attributes
 * use @napi-rs/xattr, which never follows symlinks (l*xattr). Everything
 * else is node:fs. Kept behind one small interface so a native helper can
 * replace the commands later without touching the applier.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as xattr from '@napi-rs/xattr';
import { internal } from '@berth/errors';

const run = promisify(execFile);

export type NodeKind = 'c' | 'b' | 'p';

/** mknod(2): a character or block device (major, minor) or a fifo. */
export async function mknod(target: string, kind: NodeKind, major = 0, minor = 0, mode = 0o600): Promise<void> {
  const args = ['-m', (mode & 0o7777).toString(8), '--', target, kind];
  if (kind !== 'p') args.push(String(major), String(minor));
  try {
    await run('mknod', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw internal(`mknod ${target}: ${stderr || String(err)}`, err);
  }
}

/** errno from @napi-rs/xattr's "... (os error N)" messages. */
export function xattrErrno(err: unknown): number | undefined {
  const m = /\(os error (\d+)\)/.exec(err instanceof Error ? err.message : String(err));
  return m === null ? undefined : Number(m[1]);
}

export const ENOTSUP = 95;
export const EPERM = 1;
export const ENODATA = 61;

/** lsetxattr(2). */
export function setXattr(target: string, name: string, value: Buffer): void {
  xattr.setAttributeSync(target, name, value);
}

/** llistxattr(2); [] where the filesystem has none. */
export function listXattrs(target: string): string[] {
  try {
    return xattr.listAttributesSync(target);
  } catch (err) {
    if (xattrErrno(err) === ENOTSUP) return [];
    throw err;
  }
}

/** lgetxattr(2); undefined when absent. */
export function getXattr(target: string, name: string): Buffer | undefined {
  try {
    return xattr.getAttributeSync(target, name) ?? undefined;
  } catch (err) {
    if (xattrErrno(err) === ENODATA || xattrErrno(err) === ENOTSUP) return undefined;
    throw err;
  }
}
