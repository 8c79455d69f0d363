/**
 * GET /containers/{id}/export: the container's whole filesystem (image
 * layers and its changes) as one tar, streamed. The snapshot is mounted
 * read-only on a temp dir (its upper dir as the top lower dir: safe beside
 * the running container's own mount, which keeps sole use of upper and work
 * dirs) and unmounted when the tar ends, whatever happens. Like docker, no
 * volumes or bind mounts: only what the snapshot holds.
 */
import type { Writable } from 'node:stream';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import { readonlyMounts, snapshotMounts, withTempMount } from './rootfs-access.js';
import { TreePacker } from './tar-pack.js';

export async function exportContainer(e: Engine, c: Container, out: Writable, begin: () => void): Promise<void> {
  const mounts = readonlyMounts(await snapshotMounts(e, c));
  await withTempMount(mounts, async (root) => {
    begin();
    const packer = new TreePacker(out);
    await packer.add(root, '');
    await packer.finish();
  });
}
