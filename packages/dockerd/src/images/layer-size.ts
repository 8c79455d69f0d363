/**
 * Sizes as dockerd reports them (moby's pkg/directory.Size over a layer's
 * diff dir): the lstat sizes of everything in a directory tree but
 * directories, a hard-linked inode once, empty files and whiteouts (0/0
 * character devices) adding nothing. containerd's snapshot Usage counts
 * blocks and directories too, so berthd walks the snapshot's directory
 * itself, found through the mounts the Snapshots API gives for it.
 *
 * A committed snapshot never changes and is named by its chain ID (a digest
 * of its content), so each layer is walked once per berthd process.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isBerthError } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { withLease } from './lease.js';
import type { DockerImage } from './store.js';
import { chainIds, snapshotter } from './unpack.js';

type Mount = { type: string; source: string; options: string[] };

/** moby's directory.Size. A tree that vanishes meanwhile counts what was seen. */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<bigint>();
  let size = 0;
  async function walk(d: string): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(d);
    } catch {
      return;
    }
    await Promise.all(names.map(async (name) => {
      const p = path.join(d, name);
      const st = await fs.lstat(p, { bigint: true }).catch(() => undefined);
      if (!st) return;
      if (st.isDirectory()) return walk(p);
      if (st.size === 0n || seen.has(st.ino)) return;
      seen.add(st.ino);
      size += Number(st.size);
    }));
  }
  await walk(dir);
  return size;
}

const option = (m: Mount, key: string): string | undefined => m.options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1);

/** The directories of a snapshot's mounts: its own (upper, when writable) and its parents', nearest first. */
export function mountDirs(mounts: Mount[]): { upper?: string; lowers: string[] } {
  const m = mounts[0];
  if (!m) return { lowers: [] };
  if (m.type === 'bind') return m.options.includes('ro') ? { lowers: [m.source] } : { upper: m.source, lowers: [] };
  const upper = option(m, 'upperdir');
  const lowers = option(m, 'lowerdir')?.split(':') ?? [];
  return { ...(upper ? { upper } : {}), lowers };
}

const layerCache = new Map<string, Promise<number>>();

/**
 * The sizes of committed snapshots `names`, whose directories `dirs` gives in
 * the same order when a walk is needed.
 */
export async function layerSizes(names: string[], dirs: () => Promise<string[]>): Promise<number[]> {
  let listed: Promise<string[]> | undefined;
  const sizes = names.map((name, i) => {
    let p = layerCache.get(name);
    if (!p) {
      p = (async () => {
        listed ??= dirs();
        const dir = (await listed)[i];
        if (dir === undefined) throw new Error(`no directory for snapshot ${name}`);
        return directorySize(dir);
      })();
      // a failed walk is not remembered: the next request tries again
      p.catch(() => layerCache.delete(name));
      layerCache.set(name, p);
    }
    return p;
  });
  return Promise.all(sizes);
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export async function chainSize(names: string[], dirs: () => Promise<string[]>): Promise<number> {
  return sum(await layerSizes(names, dirs));
}

/**
 * The unpacked sizes of an image's layers, the committed snapshots `chain`
 * (bottom first, as the result); undefined when it is not unpacked.
 */
export async function chainLayerSizes(ctr: Containerd, chain: string[]): Promise<number[] | undefined> {
  const top = chain[chain.length - 1];
  if (top === undefined) return [];
  const nearestFirst = [...chain].reverse();
  try {
    return (await layerSizes(nearestFirst, () => withLease(ctr, async (lease) => {
      // a view of the top layer lists every layer's directory; it is gone again at once
      const key = `berthd-size-${randomBytes(8).toString('hex')}`;
      const opts = { metadata: { 'containerd-lease': lease } };
      const { mounts } = await ctr.snapshots.view({ snapshotter, key, parent: top, labels: {} }, opts);
      await ctr.snapshots.remove({ snapshotter, key }).catch(() => undefined);
      return mountDirs(mounts).lowers;
    }))).reverse();
  } catch (err) {
    if (isBerthError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** An image's layers by chain ID (bottom first) with their unpacked sizes; the compressed ones when it is not unpacked. */
export async function imageLayers(ctr: Containerd, img: DockerImage): Promise<Array<{ chainId: string; size: number }>> {
  const chain = chainIds(img.config.rootfs?.diff_ids ?? []);
  const sizes = (await chainLayerSizes(ctr, chain)) ?? img.manifest.layers.map((l) => l.size);
  return chain.map((chainId, i) => ({ chainId, size: sizes[i] ?? 0 }));
}

/** An image's Size as dockerd shows it: the sum of its layers' sizes. */
export async function imageSize(ctr: Containerd, img: DockerImage): Promise<number> {
  return sum((await imageLayers(ctr, img)).map((l) => l.size));
}

/** Sizes of many images at once, by image ID. */
export async function imageSizes(ctr: Containerd, imgs: DockerImage[]): Promise<Map<string, number>> {
  return new Map(await Promise.all(imgs.map(async (img) => [img.id, await imageSize(ctr, img)] as const)));
}
