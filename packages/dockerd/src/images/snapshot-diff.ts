/**
 * The changes of a writable snapshot over a parent snapshot, as a layer blob
 * in the content store (containerd's diff service, under the caller's lease):
 * its descriptor and its diff ID. `commit` takes a container's snapshot over
 * its image; the builder a step's snapshot over the step's parent image.
 */
import { randomBytes } from 'node:crypto';
import { snapshotter, type Engine } from '../containers/engine.js';
import type { Descriptor } from './media.js';

export interface SnapshotDiff {
  /** The writable snapshot. */
  key: string;
  /** The parent's top chain ID; '' for none (the whole snapshot is the layer). */
  parent: string;
  mediaType: string;
  /** The diff's ingest ref. */
  ref: string;
  lease: string;
}

export async function snapshotDiff(e: Engine, o: SnapshotDiff): Promise<{ desc: Descriptor; diffId: string }> {
  const opts = { metadata: { 'containerd-lease': o.lease } };
  const viewKey = `${o.ref}-view-${randomBytes(6).toString('hex')}`;
  try {
    const left = o.parent === '' ? [] : (await e.ctr.snapshots.view({ snapshotter, key: viewKey, parent: o.parent, labels: {} }, opts)).mounts;
    const right = (await e.ctr.snapshots.mounts({ snapshotter, key: o.key })).mounts;
    const { diff } = await e.ctr.diff.diff({ left, right, mediaType: o.mediaType, ref: o.ref, labels: {} }, opts);
    const digest = diff?.digest ?? '';
    const { info } = await e.ctr.content.info({ digest });
    const diffId = info?.labels['containerd.io/uncompressed'];
    if (diffId === undefined) throw new Error(`the diff ${digest} has no containerd.io/uncompressed label`);
    return { desc: { mediaType: o.mediaType, digest, size: Number(diff?.size ?? 0n) }, diffId };
  } finally {
    if (o.parent !== '') await e.ctr.snapshots.remove({ snapshotter, key: viewKey }).catch(() => undefined);
  }
}
