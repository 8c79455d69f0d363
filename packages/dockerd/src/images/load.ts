/**
 * POST /images/load: a `docker save` tar (manifest.json, <config>.json, layer
 * tars, plain or gzip; the OCI-layout flavour docker 25+ writes has the same
 * manifest.json) into containerd: blobs through the Content API under a lease,
 * a docker schema2 manifest per image, the layers unpacked into the overlayfs
 * snapshotter, and one image record per RepoTag.
 */
import { invalidArgument } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { sha256, writeBlob } from './content.js';
import { manifestGcLabels, mediaTypes, type Descriptor, type Manifest } from './media.js';
import { familiarName, normalizeName } from './reference.js';
import { danglingPrefix } from './store.js';
import { unpack } from './unpack.js';
import { withLease } from './lease.js';
import { readTar, type TarFiles } from './tar.js';

interface SaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export interface LoadResult {
  /** docker's progress lines: "Loaded image: busybox:latest" or "Loaded image ID: sha256:...". */
  messages: string[];
}

function need(files: TarFiles, name: string): Buffer {
  const f = files.get(name);
  if (!f) throw invalidArgument(`invalid tar: ${name} is missing`);
  return f;
}

const isGzip = (b: Buffer): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

async function loadEntry(ctr: Containerd, files: TarFiles, e: SaveEntry, lease: string): Promise<string[]> {
  const configBytes = need(files, e.Config);
  const configDigest = sha256(configBytes);
  const layers: Descriptor[] = [];
  for (const path of e.Layers) {
    const data = need(files, path);
    const digest = sha256(data);
    await writeBlob(ctr, data, digest, {}, lease);
    layers.push({ mediaType: isGzip(data) ? mediaTypes.dockerLayerGzip : mediaTypes.dockerLayer, digest, size: data.length });
  }
  await writeBlob(ctr, configBytes, configDigest, {}, lease);
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, digest: configDigest, size: configBytes.length },
    layers,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const manifestDigest = sha256(manifestBytes);
  await writeBlob(ctr, manifestBytes, manifestDigest, manifestGcLabels(manifest), lease);
  const diffIds = (JSON.parse(configBytes.toString('utf8')) as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ?? [];
  if (diffIds.length !== layers.length) throw invalidArgument(`invalid image config ${e.Config}: ${diffIds.length} diff_ids for ${layers.length} layers`);
  await unpack(ctr, manifest, diffIds, lease);
  const target = { mediaType: mediaTypes.dockerManifest, digest: manifestDigest, size: BigInt(manifestBytes.length) };
  const tags = (e.RepoTags ?? []).map(normalizeName);
  const names = tags.length > 0 ? tags : [`${danglingPrefix}${manifestDigest}`];
  for (const name of names) {
    try {
      await ctr.images.create({ image: { name, target, labels: {} } }, { metadata: { 'containerd-lease': lease } });
    } catch {
      await ctr.images.update({ image: { name, target, labels: {} } });
    }
  }
  return tags.length > 0 ? tags.map((t) => `Loaded image: ${familiarName(t)}`) : [`Loaded image ID: ${configDigest}`];
}

export async function loadImages(ctr: Containerd, tar: Buffer): Promise<LoadResult> {
  const files = readTar(tar);
  const raw = files.get('manifest.json');
  if (!raw) throw invalidArgument('invalid tar: manifest.json is missing (not a docker save archive)');
  let entries: SaveEntry[];
  try { entries = JSON.parse(raw.toString('utf8')) as SaveEntry[]; } catch { throw invalidArgument('invalid manifest.json'); }
  const messages: string[] = [];
  await withLease(ctr, async (lease) => {
    for (const e of entries) messages.push(...(await loadEntry(ctr, files, e, lease)));
  });
  return { messages };
}
