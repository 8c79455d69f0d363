/** docker tag and docker rmi over containerd image records. */
import { conflict, invalidArgument } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { familiarName, isValidTag, normalizeName } from './reference.js';
import { danglingPrefix, findImage, recordNameOf, type DockerImage } from './store.js';

/** POST /images/{name}/tag: another record with the same target (replacing one of that name). */
export async function tagImage(ctr: Containerd, source: string, repo: string, tag: string): Promise<void> {
  if (!repo) throw invalidArgument('repository name must have at least one component');
  if (tag && !isValidTag(tag)) throw invalidArgument(`invalid tag format`);
  const img = await findImage(ctr, source);
  const rec = img.records[0];
  if (!rec) throw invalidArgument(`No such image: ${source}`);
  const name = normalizeName(tag ? `${repo}:${tag}` : repo);
  const target = { mediaType: rec.targetMediaType, digest: rec.targetDigest, size: BigInt(rec.targetSize) };
  try {
    await ctr.images.create({ image: { name, target, labels: {} } });
  } catch {
    await ctr.images.update({ image: { name, target, labels: {} } });
  }
  // the untagged placeholder is no longer needed once the image has a name
  for (const r of img.records.filter((x) => x.name.startsWith(danglingPrefix))) await ctr.images.delete({ name: r.name });
}

export type DeleteItem = { Untagged: string } | { Deleted: string };

const shortId = (img: DockerImage): string => img.id.slice('sha256:'.length, 'sha256:'.length + 12);

/** DELETE /images/{name}: untag a name; delete the image with its last name (or every name, by ID). */
export async function removeImage(ctr: Containerd, ref: string, force: boolean): Promise<DeleteItem[]> {
  const img = await findImage(ctr, ref);
  const name = recordNameOf(img, ref);
  const out: DeleteItem[] = [];
  const untag = async (n: string) => {
    await ctr.images.delete({ name: n, sync: true });
    if (!n.startsWith(danglingPrefix)) out.push({ Untagged: familiarName(n) });
  };
  if (name !== undefined) {
    await untag(name);
    if (img.records.length > 1) return out;
  } else {
    const named = img.records.filter((r) => !r.name.startsWith(danglingPrefix));
    if (named.length > 1 && !force) {
      throw conflict(`conflict: unable to delete ${shortId(img)} (must be forced) - image is referenced in multiple repositories`);
    }
    for (const r of img.records) await untag(r.name);
  }
  out.push({ Deleted: img.id });
  return out;
}
