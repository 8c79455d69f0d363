/**
 * GET /system/df: moby's DiskUsage. Images as in GET /images/json plus how many
 * containers use each and the size of the layers it shares with other images;
 * LayersSize counts every layer once (the same measure as the images' Size,
 * so `docker system df` can subtract one from the other); containers with
 * their SizeRw/SizeRootFs. Sizes are unpacked sizes, counted as dockerd does
 * (images/layer-size.ts); volumes with UsageData (the size of their _data
 * and how many containers use them). berthd has no build cache: an empty
 * list. `type` (API 1.42+) picks the parts to compute; the others are null.
 */
import { invalidArgument } from '@berth/errors';
import type { Engine } from '../containers/engine.js';
import { listContainers } from '../containers/list.js';
import { containerSizes, type SizeCache } from '../containers/size.js';
import { summaryView } from '../containers/views.js';
import { listImages } from '../images/store.js';
import { imageLayers } from '../images/layer-size.js';
import { summaryOf } from '../images/views.js';
import { volumeStore } from '../volumes/registry.js';
import { directorySize } from '../volumes/size.js';
import { usedVolumes } from '../volumes/usage.js';
import { volumeView } from '../volumes/views.js';

const kinds = ['container', 'image', 'volume', 'build-cache'] as const;
type Kind = (typeof kinds)[number];

export function parseDfTypes(raw: unknown): Set<Kind> {
  if (raw === undefined) return new Set(kinds);
  const list = Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const out = new Set<Kind>();
  for (const t of list) {
    if (!(kinds as readonly string[]).includes(t)) throw invalidArgument(`unknown object type: ${t}`);
    out.add(t as Kind);
  }
  return out;
}

export async function diskUsage(e: Engine, want: Set<Kind>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { LayersSize: 0, Images: null, Containers: null, Volumes: null, BuildCache: null };
  const needImages = want.has('image') || want.has('container');
  const images = needImages ? await listImages(e.ctr) : [];
  if (want.has('image')) {
    const users = new Map<string, number>();
    for (const c of e.store.list()) users.set(c.record.image, (users.get(c.record.image) ?? 0) + 1);
    // layers are the unpacked ones, by chain ID, as dockerd's layer store has them:
    // how many images hold each layer, and each layer's size
    const layersOf = new Map(await Promise.all(images.map(async (img) => [img.id, await imageLayers(e.ctr, img)] as const)));
    const holders = new Map<string, number>();
    const sizes = new Map<string, number>();
    for (const layers of layersOf.values()) {
      for (const id of new Set(layers.map((l) => l.chainId))) holders.set(id, (holders.get(id) ?? 0) + 1);
      for (const l of layers) sizes.set(l.chainId, l.size);
    }
    out.LayersSize = [...sizes.values()].reduce((a, b) => a + b, 0);
    out.Images = images.map((img) => {
      const layers = layersOf.get(img.id) ?? [];
      return {
        ...summaryOf(img, layers.reduce((n, l) => n + l.size, 0)),
        Containers: users.get(img.id) ?? 0,
        SharedSize: [...new Set(layers.map((l) => l.chainId))].filter((id) => (holders.get(id) ?? 0) > 1).reduce((n, id) => n + (sizes.get(id) ?? 0), 0),
      };
    });
  }
  if (want.has('container')) {
    const ids = new Set(images.map((i) => i.id));
    const cache: SizeCache = new Map();
    const list = listContainers(e.store, { all: true, limit: -1, filters: undefined }, () => false);
    out.Containers = await Promise.all(list.map(async (c) => summaryView(c, ids.has(c.record.image), await containerSizes(e, c, cache))));
  }
  if (want.has('volume')) {
    const store = volumeStore(e);
    const used = usedVolumes(e);
    out.Volumes = store.list().map((v) => ({ ...volumeView(store, v), UsageData: { Size: directorySize(store.dataPath(v.name)), RefCount: used.get(v.name) ?? 0 } }));
  }
  if (want.has('build-cache')) out.BuildCache = [];
  return out;
}
