/**
 * A container's disk figures as moby's containerd image service gives them:
 * SizeRw is the usage of the container's own (active) snapshot, its upper
 * dir; SizeRootFs adds the committed snapshots under it (the image's
 * unpacked layers). Layer usages are cached per request: containers of one
 * image share them.
 */
import type { Container } from './container.js';
import { snapshotter, type Engine } from './engine.js';

export interface Sizes {
  rw: number;
  rootFs: number;
}

async function usage(e: Engine, key: string): Promise<number> {
  try {
    return Number((await e.ctr.snapshots.usage({ snapshotter, key })).size);
  } catch {
    return 0; // no snapshot (removed meanwhile): nothing on disk
  }
}

export const writableSize = (e: Engine, id: string): Promise<number> => usage(e, id);

/** Usage of a committed snapshot and its parents. */
async function chainSize(e: Engine, key: string, cache: Map<string, Promise<number>>): Promise<number> {
  if (key === '') return 0;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      let parent = '';
      try {
        parent = (await e.ctr.snapshots.stat({ snapshotter, key })).info?.parent ?? '';
      } catch {
        return 0;
      }
      return (await usage(e, key)) + (await chainSize(e, parent, cache));
    })();
    cache.set(key, p);
  }
  return p;
}

export type SizeCache = Map<string, Promise<number>>;

export async function containerSizes(e: Engine, c: Container, cache: SizeCache = new Map()): Promise<Sizes> {
  const rw = await writableSize(e, c.id);
  return { rw, rootFs: rw + (await chainSize(e, c.record.snapshotParent, cache)) };
}
