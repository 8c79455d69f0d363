/**
 * One blob of a push, as moby's pushDescriptor does it: already in the target
 * repository (HEAD) -> "Layer already exists"; known to be in another
 * repository of the same registry -> cross-repository mount, "Mounted from
 * <path>"; else upload with "Pushing" progress, then "Pushed". Where a blob
 * came from is remembered as containerd does it, in the blob's
 * `containerd.io/distribution.source.<registry>` label (comma-separated
 * repository paths), so the next push to another repository can mount it.
 */
import type { Containerd } from '../containerd.js';
import { BlobPusher, rechunk } from '../registry/upload.js';
import { layerProgress, layerStatus, type ProgressWriter } from './progress.js';

/** moby's progress reader reports every 512 KiB (and at the end). */
const updateEvery = 512 * 1024;

export const sourceLabel = (registryHost: string): string => `containerd.io/distribution.source.${registryHost}`;

export interface PushContext {
  ctr: Containerd;
  blobs: BlobPusher;
  /** 127.0.0.1:5000, docker.io */
  registryHost: string;
  /** the target repository path (library/busybox) */
  path: string;
}

async function sourcesOf(ctr: Containerd, label: string, digest: string): Promise<string[]> {
  try {
    const { info } = await ctr.content.info({ digest });
    return (info?.labels[label] ?? '').split(',').filter(Boolean);
  } catch {
    return [];
  }
}

/** Adds the target repository to the blob's source label. */
export async function rememberSource(p: PushContext, digest: string): Promise<void> {
  const label = sourceLabel(p.registryHost);
  const have = await sourcesOf(p.ctr, label, digest);
  if (have.includes(p.path)) return;
  const value = [...have, p.path].sort().join(',');
  await p.ctr.content.update({ info: { digest, labels: { [label]: value } }, updateMask: { paths: [`labels.${label}`] } }).catch(() => undefined);
}

async function* blobChunks(ctr: Containerd, digest: string): AsyncIterable<Uint8Array> {
  for await (const r of ctr.content.read({ digest })) yield r.data;
}

/**
 * Puts one blob into the target repository. `id` is the progress line's ID
 * (a layer's short diff ID; none for the config, which moby pushes silently).
 */
export async function pushBlob(p: PushContext, digest: string, size: number, out: ProgressWriter, id?: string): Promise<void> {
  const say = (status: string) => { if (id) out(layerStatus(id, status)); };
  if (await p.blobs.exists(digest)) {
    say('Layer already exists');
    return;
  }
  let session: string | undefined;
  for (const from of await sourcesOf(p.ctr, sourceLabel(p.registryHost), digest)) {
    if (from === p.path) continue;
    const m = await p.blobs.mount(digest, from);
    if (m === true) {
      say(`Mounted from ${from}`);
      return;
    }
    if (m !== undefined) {
      session = m;
      break;
    }
  }
  session ??= await p.blobs.start();
  let last = 0;
  if (id) out(layerProgress(id, 'Pushing', 0, size));
  await p.blobs.upload(session, digest, size, rechunk(blobChunks(p.ctr, digest)), (n) => {
    if (id && (n - last >= updateEvery || n === size)) {
      last = n;
      out(layerProgress(id, 'Pushing', n, size));
    }
  });
  say('Pushed');
}
