/**
 * POST /images/prune: removes dangling images (dangling=true, the default) or
 * every image no container uses (dangling=false, what `docker image prune -a`
 * sends), narrowed by `until` (created before a time or a Go duration ago) and
 * `label` / `label!`; answers moby's image.PruneReport (ImagesDeleted with the
 * Untagged/Deleted items, SpaceReclaimed: the layer blobs no remaining image
 * shares).
 */
import type { ImageUsers } from './tag.js';
import { invalidArgument } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import type { Filters } from './filters.js';
import { familiarName } from './reference.js';
import { danglingPrefix, listImages, type DockerImage } from './store.js';
import { createdDate, imageLabels, repoTags } from './views.js';

export const pruneFilterKeys = new Set(['dangling', 'until', 'label', 'label!']);

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** moby's until: a Go duration ago, an RFC 3339 time or date, or unix seconds. */
export function untilTime(raw: string, now = Date.now()): number {
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(raw)) {
    let ms = 0;
    for (const m of raw.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * (unitMs[m[2] ?? 's'] ?? 0);
    return now - ms;
  }
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw invalidArgument(`failed to parse value as time or duration: "${raw}"`);
  return t;
}

function labelMatch(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  return eq < 0 ? want in labels : labels[want.slice(0, eq)] === want.slice(eq + 1);
}

async function imagesInUse(ctr: Containerd, all: DockerImage[]): Promise<Set<string>> {
  const { containers } = await ctr.containers.list({});
  const used = new Set<string>();
  for (const c of containers) {
    for (const img of all) {
      if (img.id === c.image || img.records.some((r) => r.name === c.image)) used.add(img.id);
    }
  }
  return used;
}

export interface PruneReport {
  ImagesDeleted: Array<{ Untagged: string } | { Deleted: string }> | null;
  SpaceReclaimed: number;
}

/** `usersOf` adds berthd's own containers (created ones have no containerd record yet). */
export async function pruneImages(ctr: Containerd, f: Filters, usersOf: ImageUsers = () => []): Promise<PruneReport> {
  const d = f.get('dangling')?.[0] ?? 'true';
  if (!['true', 'false', '1', '0'].includes(d)) throw invalidArgument(`Invalid filter 'dangling=${d}'`);
  const danglingOnly = d === 'true' || d === '1';
  const until = f.get('until')?.map((u) => untilTime(u));
  const all = await listImages(ctr);
  const used = await imagesInUse(ctr, all);
  const chosen = all.filter((img) => {
    if (used.has(img.id) || usersOf(img.id).length > 0) return false;
    if (danglingOnly && repoTags(img).length > 0) return false;
    const created = createdDate(img)?.getTime() ?? 0;
    if (until?.some((u) => created >= u)) return false;
    const labels = imageLabels(img);
    if (!(f.get('label') ?? []).every((l) => labelMatch(labels, l))) return false;
    if ((f.get('label!') ?? []).some((l) => labelMatch(labels, l))) return false;
    return true;
  });
  const deleted: PruneReport['ImagesDeleted'] & object = [];
  for (const img of chosen) {
    for (const r of img.records) {
      await ctr.images.delete({ name: r.name, sync: true });
      if (!r.name.startsWith(danglingPrefix)) deleted.push({ Untagged: familiarName(r.name) });
    }
    deleted.push({ Deleted: img.id });
  }
  const kept = new Set(all.filter((i) => !chosen.includes(i)).flatMap((i) => i.manifest.layers.map((l) => l.digest)));
  const freed = new Map<string, number>();
  for (const img of chosen) for (const l of img.manifest.layers) if (!kept.has(l.digest)) freed.set(l.digest, l.size);
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: [...freed.values()].reduce((a, b) => a + b, 0) };
}
