/**
 * Disk usage of a directory tree the way containerd's continuity fs.DiskUsage
 * counts it: every inode once (hard links are not double counted), size as
 * allocated blocks (st_blocks * 512), the root directory included.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Usage } from './types.js';

export async function diskUsage(root: string, signal?: AbortSignal): Promise<Usage> {
  const seen = new Set<string>();
  let size = 0;
  const visit = async (p: string): Promise<void> => {
    signal?.throwIfAborted();
    const st = await fs.lstat(p, { bigint: true });
    const id = `${st.dev}:${st.ino}`;
    if (!seen.has(id)) {
      seen.add(id);
      size += Number(st.blocks) * 512;
    }
    if (!st.isDirectory()) return;
    for (const name of await fs.readdir(p)) await visit(path.join(p, name));
  };
  await visit(root);
  return { size, inodes: seen.size };
}
