/**
 * GET /images/{name}/history: moby's image.HistoryResponseItem list, newest
 * first, from the config's history: Id is the image ID on the top entry and
 * "<missing>" below it (no parent images on this store), Tags the image's
 * RepoTags on the top entry only, Size the unpacked size of the layer an entry
 * made (counted as dockerd counts it, layer-size.ts; the blob size when the
 * image is not unpacked), 0 for empty_layer entries.
 */
import type { Containerd } from '../containerd.js';
import type { DockerImage } from './store.js';
import { imageLayers } from './layer-size.js';
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

export async function imageHistory(ctr: Containerd, img: DockerImage): Promise<HistoryItem[]> {
  const history = (img.config.history ?? []) as HistoryEntry[];
  const layers = await imageLayers(ctr, img);
  const items: HistoryItem[] = [];
  let layer = 0;
  for (const h of history) {
    let size = 0;
    if (!h.empty_layer) {
      size = layers[layer]?.size ?? 0;
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
