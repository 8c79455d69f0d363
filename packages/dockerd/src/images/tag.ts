/** docker tag and docker rmi over containerd image records. */
import { conflict, invalidArgument } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { familiarName, isValidTag, normalizeName } from './reference.js';
import { danglingPrefix, findImage, recordNameOf } from './store.js';

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

/** A container created from an image (the conflicts of docker rmi). */
export interface ImageUser {
  id: string;
  running: boolean;
}

/** The containers using an image ID; the container engine answers it. */
export type ImageUsers = (imageId: string) => ImageUser[];

const truncId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/**
 * DELETE /images/{name}, as dockerd's containerd image store decides: by name,
 * untag it (the image stays while it has other names); its last name is kept
 * while a container uses the image unless forced, and forcing only untags
 * (the image stays, dangling). By ID: refused while a container runs it
 * (even forced), while a stopped one uses it or it has several names (unless
 * forced); else every name goes, then the image.
 */
export async function removeImage(ctr: Containerd, ref: string, force: boolean, usersOf: ImageUsers = () => []): Promise<DeleteItem[]> {
  const img = await findImage(ctr, ref);
  const name = recordNameOf(img, ref);
  const out: DeleteItem[] = [];
  const untag = async (n: string) => {
    await ctr.images.delete({ name: n, sync: true });
    if (!n.startsWith(danglingPrefix)) out.push({ Untagged: familiarName(n) });
  };
  const users = usersOf(img.id);
  if (name !== undefined) {
    if (img.records.length > 1) {
      await untag(name);
      return out;
    }
    const user = users[0];
    if (user !== undefined) {
      if (!force) {
        throw conflict(`conflict: unable to delete ${familiarName(name)} (must be forced) - container ${truncId(user.id)} is using its referenced image ${truncId(img.id)}`);
      }
      // the container still needs the image: it stays, as an untagged one
      const rec = img.records[0];
      if (rec) {
        const target = { mediaType: rec.targetMediaType, digest: rec.targetDigest, size: BigInt(rec.targetSize) };
        await ctr.images.create({ image: { name: `${danglingPrefix}${rec.targetDigest}`, target, labels: {} } }).catch(() => undefined);
      }
      await untag(name);
      return out;
    }
    await untag(name);
  } else {
    const running = users.find((u) => u.running);
    if (running) throw conflict(`conflict: unable to delete ${truncId(img.id)} (cannot be forced) - image is being used by running container ${truncId(running.id)}`);
    const stopped = users[0];
    if (stopped && !force) throw conflict(`conflict: unable to delete ${truncId(img.id)} (must be forced) - image is being used by stopped container ${truncId(stopped.id)}`);
    const named = img.records.filter((r) => !r.name.startsWith(danglingPrefix));
    if (named.length > 1 && !force) {
      throw conflict(`conflict: unable to delete ${truncId(img.id)} (must be forced) - image is referenced in multiple repositories`);
    }
    for (const r of img.records) await untag(r.name);
  }
  out.push({ Deleted: img.id });
  return out;
}
