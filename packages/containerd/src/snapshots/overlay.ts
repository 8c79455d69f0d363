/**
 * The overlayfs snapshotter (containerd's snapshots/overlay): each snapshot is
 * snapshots/<id>/fs (its upper directory, or its whole content when it has no
 * parent) plus snapshots/<id>/work for active ones. Mounts:
 *   no parent             bind <fs> (rw for active, ro for a view)
 *   active with parents   overlay upperdir=<fs>,workdir=<work>,lowerdir=<parent fs>:...
 *   view of one parent    ro bind of the parent's fs (overlay needs two lowers)
 *   view of a chain       overlay lowerdir=<parent fs>:... (read-only by construction)
 * lowerdir lists the nearest parent first, as overlayfs stacks left over right.
 * "index=off" is added when the kernel knows the option, as containerd does,
 * so snapshots can be mounted again after their lowers changed identity.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DirSnapshotter, type Layout } from './backend.js';
import { mount, unmount } from './mount.js';
import type { Snapshot } from './storage.js';
import type { Kind, Mount } from './types.js';
import type { Logger } from '../log.js';

export const overlayPluginId = 'overlayfs';

export function overlayLayout(root: string, indexOff = existsSync('/sys/module/overlay/parameters/index')): Layout {
  const upper = (id: string) => path.join(root, 'snapshots', id, 'fs');
  const work = (id: string) => path.join(root, 'snapshots', id, 'work');
  return {
    needsDir: () => true,
    mountsError: 'failed to get active mount',
    dataPath: upper,
    async populate(td: string, kind: Kind, parentId: string | undefined) {
      await fs.mkdir(path.join(td, 'fs'), { mode: 0o755 });
      await fs.chmod(path.join(td, 'fs'), 0o755);
      if (kind === 'active') await fs.mkdir(path.join(td, 'work'), { mode: 0o711 });
      if (parentId !== undefined) {
        // The upper's root takes the owner of the layer below (a non-root image root dir).
        const st = await fs.stat(upper(parentId));
        await fs.lchown(path.join(td, 'fs'), st.uid, st.gid);
      }
    },
    mounts(s: Snapshot): Mount[] {
      if (s.parentIds.length === 0) {
        return [{ type: 'bind', source: upper(s.id), options: [s.kind === 'view' ? 'ro' : 'rw', 'rbind'] }];
      }
      const options = indexOff ? ['index=off'] : [];
      if (s.kind === 'active') {
        options.push(`workdir=${work(s.id)}`, `upperdir=${upper(s.id)}`);
      } else if (s.parentIds.length === 1) {
        return [{ type: 'bind', source: upper(s.parentIds[0]!), options: ['ro', 'rbind'] }];
      }
      options.push(`lowerdir=${s.parentIds.map(upper).join(':')}`);
      return [{ type: 'overlay', source: 'overlay', options }];
    },
  };
}

/**
 * Whether overlayfs works under `root` (containerd's overlayutils.Supported):
 * the kernel knows it and a two-lower mount succeeds there (it does not on
 * top of another overlay or on some network filesystems).
 */
export async function overlaySupported(root: string): Promise<string | undefined> {
  const filesystems = await fs.readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\toverlay\n/.test(filesystems)) return 'overlay is not supported by the kernel';
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const dir = await fs.mkdtemp(path.join(root, 'check-'));
  try {
    for (const d of ['lower1', 'lower2', 'upper', 'work', 'merged']) await fs.mkdir(path.join(dir, d));
    const target = path.join(dir, 'merged');
    const options = [`lowerdir=${path.join(dir, 'lower2')}:${path.join(dir, 'lower1')}`, `upperdir=${path.join(dir, 'upper')}`, `workdir=${path.join(dir, 'work')}`];
    await mount({ type: 'overlay', source: 'overlay', options }, target);
    await unmount(target);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export function openOverlay(root: string, log?: Logger): Promise<DirSnapshotter> {
  return DirSnapshotter.open(overlayPluginId, root, (r) => overlayLayout(r), log);
}
