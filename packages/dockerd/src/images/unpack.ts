/**
 * Unpacks an image's layers into the overlayfs snapshotter as containerd's
 * unpacker does: one committed snapshot per layer, named by its chain ID, each
 * filled by the Diff service's Apply on a prepared snapshot's mounts. Layers
 * already unpacked are skipped; the config blob gets the GC label that keeps
 * the top snapshot alive.
 */
import { randomBytes } from 'node:crypto';
import { isBerthError } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { sha256 } from './content.js';
import type { Descriptor, Manifest } from './media.js';

export const snapshotter = 'overlayfs';

/** OCI chain IDs: chain(0) = diff(0); chain(n) = sha256(chain(n-1) + " " + diff(n)). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}

export async function snapshotExists(ctr: Containerd, name: string): Promise<boolean> {
  try {
    await ctr.snapshots.stat({ snapshotter, key: name });
    return true;
  } catch (err) {
    if (isBerthError(err, 'NotFound')) return false;
    throw err;
  }
}

/** Unpacks layer `i` (its parent chain already unpacked); false when it was there already. */
export async function unpackLayer(ctr: Containerd, layer: Descriptor, chain: string[], i: number, lease: string): Promise<boolean> {
  const opts = { metadata: { 'containerd-lease': lease } };
  const name = chain[i] ?? '';
  if (await snapshotExists(ctr, name)) return false;
  const key = `extract-${randomBytes(8).toString('hex')} ${name}`;
  const { mounts } = await ctr.snapshots.prepare({ snapshotter, key, parent: chain[i - 1] ?? '', labels: {} }, opts);
  try {
    const desc = { mediaType: layer.mediaType, digest: layer.digest, size: BigInt(layer.size) };
    await ctr.diff.apply({ diff: desc, mounts }, opts);
    await ctr.snapshots.commit({ snapshotter, name, key, labels: { 'containerd.io/snapshot.ref': name } }, opts);
  } catch (err) {
    await ctr.snapshots.remove({ snapshotter, key }).catch(() => undefined);
    if (isBerthError(err, 'AlreadyExists')) return false;
    throw err;
  }
  return true;
}

/** The config label that keeps the top snapshot alive. */
export const snapshotGcLabel = `containerd.io/gc.ref.snapshot.${snapshotter}`;

export async function unpack(ctr: Containerd, manifest: Manifest, diffIds: string[], lease: string): Promise<void> {
  const chain = chainIds(diffIds);
  for (const [i, layer] of manifest.layers.entries()) await unpackLayer(ctr, layer, chain, i, lease);
  const top = chain[chain.length - 1];
  if (top) {
    await ctr.content.update({ info: { digest: manifest.config.digest, labels: { [snapshotGcLabel]: top } }, updateMask: { paths: [`labels.${snapshotGcLabel}`] } });
  }
}
