/**
 * Creating and moving image records: a name is created or repointed, and an
 * image whose last name moves away keeps a `moby-dangling@` record so it
 * shows as <none> (as dockerd's containerd store keeps it), not vanishes.
 */
import { isBerthError } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { danglingPrefix } from './store.js';

export interface Target {
  mediaType: string;
  digest: string;
  size: number;
}

type RawImage = Awaited<ReturnType<Containerd['images']['list']>>['images'][number];

async function getRecord(ctr: Containerd, name: string): Promise<RawImage | undefined> {
  try {
    return (await ctr.images.get({ name })).image;
  } catch (err) {
    if (isBerthError(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** Points `name` at `target`; returns whether anything changed (false: it already pointed there). */
export async function setRecord(ctr: Containerd, name: string, t: Target, lease: string, labels: Record<string, string> = {}): Promise<boolean> {
  const target = { mediaType: t.mediaType, digest: t.digest, size: BigInt(t.size) };
  const old = await getRecord(ctr, name);
  if (old?.target?.digest === t.digest && JSON.stringify(old.labels ?? {}) === JSON.stringify(labels)) return false;
  if (!old) {
    await ctr.images.create({ image: { name, target, labels } }, { metadata: { 'containerd-lease': lease } });
  } else {
    await ctr.images.update({ image: { name, target, labels }, updateMask: { paths: ['target', 'labels'] } });
    const prev = old.target;
    if (prev && !name.startsWith(danglingPrefix)) {
      const { images } = await ctr.images.list({});
      if (!images.some((i) => i.target?.digest === prev.digest)) {
        await ctr.images.create({ image: { name: `${danglingPrefix}${prev.digest}`, target: prev, labels: {} } }).catch(() => undefined);
      }
    }
  }
  // a name makes the image's untagged placeholder redundant
  if (!name.startsWith(danglingPrefix)) await ctr.images.delete({ name: `${danglingPrefix}${t.digest}` }).catch(() => undefined);
  return true;
}
