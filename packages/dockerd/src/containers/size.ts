/**
 * A container's disk figures as dockerd gives them (moby's
 * GetContainerLayerSize over its layer store): SizeRw is the size of the
 * container's own layer, its upper dir, counted as moby's directory.Size
 * (file lengths, directories and empty files adding nothing: a container
 * that changed nothing is 0); SizeRootFs adds the image's unpacked layers
 * (images/layer-size.ts, walked once per layer). The snapshot's mounts name
 * the directories.
 */
import { chainSize, directorySize, mountDirs } from '../images/layer-size.js';
import type { Container } from './container.js';
import { snapshotter, type Engine } from './engine.js';

export interface Sizes {
  rw: number;
  rootFs: number;
}

type Dirs = ReturnType<typeof mountDirs>;

async function dirsOf(e: Engine, id: string): Promise<Dirs | undefined> {
  try {
    return mountDirs((await e.ctr.snapshots.mounts({ snapshotter, key: id })).mounts);
  } catch {
    return undefined; // no snapshot (removed meanwhile): nothing on disk
  }
}

export async function writableSize(e: Engine, id: string): Promise<number> {
  const upper = (await dirsOf(e, id))?.upper;
  return upper ? directorySize(upper) : 0;
}

/** The names of a committed snapshot and its parents, nearest first (one Stat each, shared per request). */
async function parentNames(e: Engine, key: string, cache: SizeCache): Promise<string[]> {
  if (key === '') return [];
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      let parent = '';
      try {
        parent = (await e.ctr.snapshots.stat({ snapshotter, key })).info?.parent ?? '';
      } catch {
        return [key];
      }
      return [key, ...(await parentNames(e, parent, cache))];
    })();
    cache.set(key, p);
  }
  return p;
}

export type SizeCache = Map<string, Promise<string[]>>;

export async function containerSizes(e: Engine, c: Container, cache: SizeCache = new Map()): Promise<Sizes> {
  const dirs = await dirsOf(e, c.id);
  if (!dirs) return { rw: 0, rootFs: 0 };
  const rw = dirs.upper ? await directorySize(dirs.upper) : 0;
  const names = await parentNames(e, c.record.snapshotParent, cache);
  // the mounts list the same chain, nearest parent first
  const image = names.length === dirs.lowers.length ? await chainSize(names, () => Promise.resolve(dirs.lowers)) : 0;
  return { rw, rootFs: rw + image };
}
