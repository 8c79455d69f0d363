/**
 * GET /images/{name}/history: moby's image.HistoryResponseItem list, newest
 * first, from the config's history: Id is the image ID on the top entry and
 * "<missing>" below it (no parent images on this store), Tags the image's
 * RepoTags on the top entry only, Size the unpacked size of the layer an entry
 * made (snapshot usage; the blob size when the snapshot cannot say), 0 for
 * empty_layer entries.
 */
import type { Containerd } from '../containerd.js';
import type { DockerImage } from './store.js';
import { chainIds, snapshotter } from './unpack.js';
import { repoTags } from './views.js';

interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface HistoryItem {
  Comment: string;
  Created: number;
  CreatedBy: string;
  Id: string;
  Size: number;
  Tags: string[] | null;
}

async function layerSize(ctr: Containerd, img: DockerImage, chain: string[], i: number): Promise<number> {
  try {
    const u = await ctr.snapshots.usage({ snapshotter, key: chain[i] ?? '' });
    return Number(u.size);
  } catch {
    return img.manifest.layers[i]?.size ?? 0;
  }
}

export async function imageHistory(ctr: Containerd, img: DockerImage): Promise<HistoryItem[]> {
  const history = (img.config.history ?? []) as HistoryEntry[];
  const chain = chainIds(img.config.rootfs?.diff_ids ?? []);
  const items: HistoryItem[] = [];
  let layer = 0;
  for (const h of history) {
    let size = 0;
    if (!h.empty_layer) {
      size = layer < chain.length ? await layerSize(ctr, img, chain, layer) : 0;
      layer++;
    }
    const t = h.created ? Date.parse(h.created) : NaN;
    items.unshift({
      Comment: h.comment ?? '',
      Created: Number.isNaN(t) ? 0 : Math.floor(t / 1000),
      CreatedBy: h.created_by ?? '',
      Id: '<missing>',
      Size: size,
      Tags: null,
    });
  }
  const top = items[0];
  if (top) {
    top.Id = img.id;
    const tags = repoTags(img);
    top.Tags = tags.length ? tags : null;
  }
  return items;
}
