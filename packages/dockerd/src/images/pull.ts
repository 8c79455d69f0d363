/**
 * POST /images/create?fromImage=: runs a planned pull with dockerd's progress
 * stream. Layers download three at a time (dockerd's max-concurrent-downloads),
 * streamed into the content store under one lease; each is unpacked as soon as
 * it and its parent are in ("Extracting", "Pull complete"); then the manifest
 * (and index) blobs with their GC labels, and the image record. A layer whose
 * snapshot already exists is "Already exists"; an image whose config and top
 * snapshot are there downloads nothing.
 */
import type { ReadableStream as WebStream } from 'node:stream/web';
import type { Containerd } from '../containerd.js';
import { hasBlob, ingestStream } from './ingest.js';
import { withLease } from './lease.js';
import { manifestGcLabels, type Descriptor } from './media.js';
import type { PullPlan } from './pull-plan.js';
import { layerProgress, layerStatus, message, type ProgressWriter } from './progress.js';
import { setRecord } from './records.js';
import { platformManifestLabel } from './store.js';
import { chainIds, snapshotExists, snapshotGcLabel, unpackLayer } from './unpack.js';
import { writeBlob } from './content.js';
import { limiter } from './limiter.js';

const maxDownloads = 3;
/** moby's progress reader reports every 512 KiB (and at the end). */
const updateEvery = 512 * 1024;

const shortId = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);

async function download(ctr: Containerd, plan: PullPlan, layer: Descriptor, lease: string, out: ProgressWriter): Promise<void> {
  const id = shortId(layer.digest);
  if (await hasBlob(ctr, layer.digest)) {
    out(layerStatus(id, 'Download complete'));
    return;
  }
  // node's web streams are async iterables: no Readable in between
  const body = (await plan.registry.blob(layer.digest)) as WebStream<Uint8Array>;
  let last = 0;
  await ingestStream(ctr, body, {
    digest: layer.digest,
    size: layer.size,
    labels: {},
    lease,
    onProgress: (current) => {
      if (current - last > updateEvery || current === layer.size) {
        last = current;
        out(layerProgress(id, 'Downloading', current, layer.size));
      }
    },
    onVerified: () => out(layerStatus(id, 'Verifying Checksum')),
  });
  out(layerStatus(id, 'Download complete'));
}

/** Downloads and unpacks the layers; true when anything was fetched. */
async function pullLayers(ctr: Containerd, plan: PullPlan, lease: string, out: ProgressWriter): Promise<void> {
  const layers = plan.manifest.doc.layers;
  const chain = chainIds(plan.config.doc.rootfs?.diff_ids ?? []);
  if (chain.length !== layers.length) throw new Error(`invalid image: ${chain.length} diff_ids for ${layers.length} layers`);
  const present = await Promise.all(chain.map((c) => snapshotExists(ctr, c)));
  const todo: number[] = [];
  layers.forEach((l, i) => {
    // a layer counts as there only when every layer below it is too (the chain ID says so)
    if (present[i]) out(layerStatus(shortId(l.digest), 'Already exists'));
    else todo.push(i);
  });
  for (const i of todo) out(layerStatus(shortId(layers[i]?.digest ?? ''), 'Pulling fs layer'));
  todo.slice(maxDownloads).forEach((i) => out(layerStatus(shortId(layers[i]?.digest ?? ''), 'Waiting')));
  const limit = limiter(maxDownloads);
  const downloads = new Map(todo.map((i) => [i, limit(() => download(ctr, plan, layers[i] as Descriptor, lease, out))]));
  // a failed download must not leave the others' rejections unhandled while extraction waits
  for (const p of downloads.values()) p.catch(() => undefined);
  for (const i of todo) {
    const layer = layers[i] as Descriptor;
    await downloads.get(i);
    const id = shortId(layer.digest);
    await unpackLayer(ctr, layer, chain, i, lease);
    out(layerProgress(id, 'Extracting', layer.size, layer.size));
    out(layerStatus(id, 'Pull complete'));
  }
  const top = chain[chain.length - 1];
  const configLabels: Record<string, string> = top ? { [snapshotGcLabel]: top } : {};
  await writeBlob(ctr, plan.config.bytes, plan.manifest.doc.config.digest, configLabels, lease);
}

export async function runPull(ctr: Containerd, plan: PullPlan, out: ProgressWriter): Promise<void> {
  out(message(`Pulling from ${plan.path}`, plan.tagOrDigest));
  const changed = await withLease(ctr, async (lease) => {
    const chain = chainIds(plan.config.doc.rootfs?.diff_ids ?? []);
    const top = chain[chain.length - 1];
    const haveImage = (await hasBlob(ctr, plan.manifest.doc.config.digest)) && (!top || (await snapshotExists(ctr, top)));
    if (!haveImage) await pullLayers(ctr, plan, lease, out);
    const m = plan.manifest;
    await writeBlob(ctr, m.body, m.digest, manifestGcLabels(m.doc), lease);
    if (plan.top.digest !== m.digest) {
      // the index keeps only the manifest we fetched alive; the other platforms' blobs were never here
      await writeBlob(ctr, plan.top.body, plan.top.digest, { 'containerd.io/gc.ref.content.m.0': m.digest }, lease);
    }
    const labels: Record<string, string> = plan.top.digest !== m.digest ? { [platformManifestLabel]: m.digest } : {};
    return setRecord(ctr, plan.name, { mediaType: plan.top.mediaType, digest: plan.top.digest, size: plan.top.body.length }, lease, labels);
  });
  out(message(`Digest: ${plan.top.digest}`));
  out(message(changed ? `Status: Downloaded newer image for ${plan.familiar}` : `Status: Image is up to date for ${plan.familiar}`));
}
