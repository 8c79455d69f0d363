/**
 * OCI whiteouts (image-spec layer.md): `.wh.<name>` deletes <name> from the
 * layers below, `.wh..wh..opq` hides everything below in its directory.
 *
 * - overlay (applying straight into an overlay upper directory): a deletion
 *   becomes a 0:0 character device, an opaque directory gets
 *   trusted.overlay.opaque=y, which is what overlayfs itself writes.
 * - naive (a mounted or plain directory holding the merged tree): a deletion
 *   removes the path; an opaque marker removes whatever in the directory this
 *   layer did not write itself (entries may come before the marker).
 * Other `.wh..wh.` names are aufs metadata and are skipped.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { invalidArgument } from '@berth/errors';
import { mknod, setXattr } from './fsops.js';
import type { TarHeader } from './tarread.js';

export const whiteoutPrefix = '.wh.';
export const opaqueMarker = '.wh..wh..opq';
const metaPrefix = '.wh..wh.';

export interface Whiteouts {
  /** Handles a whiteout entry `base` in the (resolved) directory `dir`. */
  apply(dir: string, base: string, h: TarHeader): Promise<void>;
}

/** The name a `.wh.<name>` entry deletes; InvalidArgument for names that are not one path component. */
function deleted(base: string): string {
  const name = base.slice(whiteoutPrefix.length);
  if (name === '' || name === '.' || name === '..' || name.includes('/')) {
    throw invalidArgument(`invalid whiteout name: ${base}`);
  }
  return name;
}

export function overlayWhiteouts(): Whiteouts {
  return {
    async apply(dir, base, h) {
      if (base === opaqueMarker) {
        setXattr(dir, 'trusted.overlay.opaque', Buffer.from('y'));
        return;
      }
      if (base.startsWith(metaPrefix)) return;
      const target = path.join(dir, deleted(base));
      await fs.rm(target, { recursive: true, force: true });
      await mknod(target, 'c', 0, 0, 0o600);
      await fs.lchown(target, h.uid, h.gid);
    },
  };
}

export function naiveWhiteouts(unpacked: ReadonlySet<string>): Whiteouts {
  const clear = async (dir: string): Promise<void> => {
    for (const name of await fs.readdir(dir)) {
      const p = path.join(dir, name);
      if (!unpacked.has(p)) await fs.rm(p, { recursive: true, force: true });
      else if ((await fs.lstat(p)).isDirectory()) await clear(p);
    }
  };
  return {
    async apply(dir, base) {
      if (base === opaqueMarker) return clear(dir);
      if (base.startsWith(metaPrefix)) return;
      await fs.rm(path.join(dir, deleted(base)), { recursive: true, force: true });
    },
  };
}
