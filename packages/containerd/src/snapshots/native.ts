/**
 * The native snapshotter (containerd's snapshots/native), for filesystems
 * without overlay: each active snapshot is a full copy of its parent in
 * snapshots/<id>, mounted with a bind mount. A view of a parent makes no copy:
 * it is a read-only bind of the parent's directory.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { DirSnapshotter, type Layout } from './backend.js';
import { copyTree } from './copy.js';
import type { Snapshot } from './storage.js';
import type { Kind, Mount } from './types.js';

export const nativePluginId = 'native';

export function nativeLayout(root: string): Layout {
  const dir = (id: string) => path.join(root, 'snapshots', id);
  return {
    needsDir: (kind: Kind, hasParent: boolean) => kind === 'active' || !hasParent,
    dataPath: dir,
    mountsError: 'failed to get snapshot mount',
    async populate(td: string, _kind: Kind, parentId: string | undefined) {
      await fs.chmod(td, 0o755);
      if (parentId !== undefined) await copyTree(dir(parentId), td);
    },
    mounts(s: Snapshot): Mount[] {
      const source = s.parentIds.length === 0 || s.kind === 'active' ? dir(s.id) : dir(s.parentIds[0]!);
      return [{ type: 'bind', source, options: ['rbind', s.kind === 'view' ? 'ro' : 'rw'] }];
    },
  };
}

export function openNative(root: string, log?: Logger): Promise<DirSnapshotter> {
  return DirSnapshotter.open(nativePluginId, root, (r) => nativeLayout(r), log);
}
