/**
 * POST /images/load: a `docker save` tar (manifest.json, <config>.json, layer
 * tars, plain or gzip; the OCI-layout flavour docker 25+ writes has the same
 * manifest.json) into containerd: the body streamed into the Content API under
 * a lease (load-tar.ts), then a docker schema2 manifest per image, the layers
 * unpacked into the overlayfs snapshotter, and one image record per RepoTag.
 */
import type { Readable } from 'node:stream';
import { invalidArgument } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { readBlob, sha256, writeBlob } from './content.js';
import { manifestGcLabels, mediaTypes, type Descriptor, type Manifest } from './media.js';
import { familiarName, normalizeName } from './reference.js';
import { danglingPrefix } from './store.js';
import { unpack } from './unpack.js';
import { withLease } from './lease.js';
import type { Spooled } from './ingest.js';
import { spoolTar, type SpooledTar } from './load-tar.js';

interface SaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export interface LoadResult {
  /** docker's progress lines: "Loaded image: busybox:latest" or "Loaded image ID: sha256:...". */
  messages: string[];
}

function need(tar: SpooledTar, name: string): Spooled {
  const f = tar.blob(name);
  if (!f) throw invalidArgument(`invalid tar: ${name} is missing`);
  return f;
}

const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

async function loadEntry(ctr: Containerd, tar: SpooledTar, e: SaveEntry, lease: string): Promise<string[]> {
  const config = need(tar, e.Config);
  // already in the content store (spooled as it streamed by); small enough to read back whole
  const configBytes = await readBlob(ctr, config.digest);
  const configDigest = config.digest;
  const layers: Descriptor[] = e.Layers.map((path) => {
    const l = need(tar, path);
    return { mediaType: isGzip(l.head) ? mediaTypes.dockerLayerGzip : mediaTypes.dockerLayer, digest: l.digest, size: l.size };
  });
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

export async function loadImages(ctr: Containerd, body: Readable): Promise<LoadResult> {
  const messages: string[] = [];
  await withLease(ctr, async (lease) => {
    const tar = await spoolTar(ctr, body, lease);
    const raw = tar.meta.get('manifest.json');
    if (!raw) throw invalidArgument('invalid tar: manifest.json is missing (not a docker save archive)');
    let entries: SaveEntry[];
    try { entries = JSON.parse(raw.toString('utf8')) as SaveEntry[]; } catch { throw invalidArgument('invalid manifest.json'); }
    for (const e of entries) messages.push(...(await loadEntry(ctr, tar, e, lease)));
  });
  return { messages };
}
