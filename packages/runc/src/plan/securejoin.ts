/**
 * Resolves a container path inside a rootfs on the host, following symlinks as
 * the container would see them: every link, absolute or relative, is resolved
 * against the rootfs, and `..` never climbs above it (the CVE-2018-15664 family:
 * a symlink in an image must not send a mount or a copy outside the rootfs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '@berth/errors';

export interface LinkReader {
  /** The link target, or null when the path is not a symlink (or does not exist). */
  readlink(hostPath: string): string | null;
}

export const hostLinkReader: LinkReader = {
  readlink(p) {
    try {
      return fs.readlinkSync(p);
    } catch {
      return null;
    }
  },
};

const MAX_LINKS = 255;

export function secureJoin(root: string, unsafePath: string, reader: LinkReader = hostLinkReader): string {
  const pending = unsafePath.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    if (part === '.') continue;
    const candidate = path.join(root, ...resolved, part);
    const target = reader.readlink(candidate);
    if (target === null) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw invalidArgument(`${unsafePath}: too many levels of symbolic links`);
    const parts = target.split('/').filter((c) => c !== '' && c !== '.');
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...parts);
  }
  return path.join(root, ...resolved);
}
