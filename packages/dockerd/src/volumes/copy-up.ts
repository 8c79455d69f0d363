/**
 * docker's copy-up: a volume mounted over a directory of the image gets that
 * directory's content (files, directories, symlinks as links, owners, modes,
 * times, xattrs) when the volume is still empty, and the directory's own
 * owner and mode. Done at create, on the container's snapshot mounted
 * read-only on a temp dir (always unmounted); the destination is resolved
 * inside that root (an image's symlink never leads out of it), and `cp -a`
 * never dereferences a link of the tree it copies.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { internal } from '@berth/errors';
import type { Engine } from '../containers/engine.js';
import type { MountRecord } from '../containers/model.js';
import { readonlyMounts, withTempMount } from '../containers/rootfs-access.js';
import type { SnapshotMount } from '../containers/spec/rootfs-files.js';
import { resolveInRoot } from '../containers/rootfs-path.js';
import { snapshotter } from '../containers/engine.js';

const run = promisify(execFile);

const isEmptyDir = (dir: string): boolean => fs.readdirSync(dir).length === 0;

export async function copyImageContent(e: Engine, containerId: string, mounts: MountRecord[]): Promise<void> {
  const wanted = mounts.filter((m) => isEmptyDir(m.Source));
  if (wanted.length === 0) return;
  const reply = await e.ctr.snapshots.mounts({ snapshotter, key: containerId });
  const snap: SnapshotMount[] = reply.mounts.map((m) => ({ type: m.type, source: m.source, options: [...m.options] }));
  await withTempMount(readonlyMounts(snap), async (root) => {
    for (const m of wanted) {
      const src = resolveInRoot(root, m.Destination).host;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(src);
      } catch {
        continue; // nothing there in the image
      }
      if (!st.isDirectory()) continue;
      try {
        await run('cp', ['-a', '--no-dereference', `${src}/.`, `${m.Source}/`], { maxBuffer: 1024 * 1024 });
      } catch (err) {
        throw internal(`failed to copy the image's ${m.Destination} into volume ${m.Name}: ${String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim()}`, err);
      }
    }
  });
}
