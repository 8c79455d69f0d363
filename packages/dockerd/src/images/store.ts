/**
 * The docker view of containerd's image records: records grouped by the config
 * digest (the docker image ID), with their manifest and config read from the
 * content store; an index resolves to its linux/amd64 manifest (or the first).
 */
import { isBerthError, notFound } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { readBlob } from './content.js';
import { isIndex, type Descriptor, type ImageConfig, type Index, type Manifest } from './media.js';
import { normalizeName } from './reference.js';

export interface ImageRecord {
  name: string;
  targetDigest: string;
  targetMediaType: string;
  targetSize: number;
  createdAt: Date;
  updatedAt: Date;
  labels: Record<string, string>;
}

export interface DockerImage {
  id: string;
  manifestDigest: string;
  manifest: Manifest;
  config: ImageConfig;
  records: ImageRecord[];
}

/** Names berthd keeps for untagged images; never shown as tags. */
export const danglingPrefix = 'moby-dangling@';

const dateOf = (t: { seconds: bigint; nanos: number } | undefined): Date =>
  t ? new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)) : new Date(0);

type RawImage = Awaited<ReturnType<Containerd['images']['list']>>['images'][number];

function recordOf(i: RawImage): ImageRecord {
  return {
    name: i.name,
    targetDigest: i.target?.digest ?? '',
    targetMediaType: i.target?.mediaType ?? '',
    targetSize: Number(i.target?.size ?? 0n),
    createdAt: dateOf(i.createdAt),
    updatedAt: dateOf(i.updatedAt),
    labels: { ...i.labels },
  };
}

/** On a record whose target is an index: the manifest a pull with --platform chose. */
export const platformManifestLabel = 'io.berth.image.manifest';

async function resolveManifest(ctr: Containerd, digest: string, mediaType: string, chosen?: string): Promise<{ digest: string; manifest: Manifest }> {
  const doc = JSON.parse((await readBlob(ctr, digest)).toString('utf8')) as Manifest | Index;
  if (!isIndex(mediaType) && !('manifests' in doc)) return { digest, manifest: doc as Manifest };
  // linux/amd64 first, then the others in index order: a pull fetches one
  // platform's manifest only, so the first one whose blob is here is the image
  const list = (doc as Index).manifests;
  const host = (m: Descriptor) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64';
  const first = (m: Descriptor) => (chosen ? m.digest === chosen : host(m));
  for (const pick of [...list.filter(first), ...list.filter((m) => !first(m))]) {
    try {
      return await resolveManifest(ctr, pick.digest, pick.mediaType);
    } catch (err) {
      if (!isBerthError(err, 'NotFound')) throw err;
    }
  }
  throw notFound(`no manifest of index ${digest} is in the content store`);
}

/** Every docker image in the namespace; records whose blobs are missing are skipped. */
export async function listImages(ctr: Containerd): Promise<DockerImage[]> {
  const { images } = await ctr.images.list({});
  const byTarget = new Map<string, Promise<{ manifestDigest: string; manifest: Manifest; config: ImageConfig } | undefined>>();
  const byId = new Map<string, DockerImage>();
  for (const raw of images) {
    const rec = recordOf(raw);
    const chosen = rec.labels[platformManifestLabel];
    const key = `${rec.targetDigest} ${chosen ?? ''}`;
    let resolved = byTarget.get(key);
    if (!resolved) {
      resolved = (async () => {
        try {
          const { digest, manifest } = await resolveManifest(ctr, rec.targetDigest, rec.targetMediaType, chosen);
          const config = JSON.parse((await readBlob(ctr, manifest.config.digest)).toString('utf8')) as ImageConfig;
          return { manifestDigest: digest, manifest, config };
        } catch {
          return undefined;
        }
      })();
      byTarget.set(key, resolved);
    }
    const r = await resolved;
    if (!r) continue;
    const id = r.manifest.config.digest;
    const existing = byId.get(id);
    if (existing) existing.records.push(rec);
    else byId.set(id, { id, ...r, records: [rec] });
  }
  return [...byId.values()];
}

const idRe = /^(?:sha256:)?([a-f0-9]{4,64})$/;

/** docker's lookup: a name (normalized), then a full or short (4+ hex) ID. */
export async function findImage(ctr: Containerd, ref: string): Promise<DockerImage> {
  const all = await listImages(ctr);
  let name: string | undefined;
  try { name = normalizeName(ref); } catch { name = undefined; }
  if (name !== undefined) {
    const byName = all.find((img) => img.records.some((r) => r.name === name));
    if (byName) return byName;
  }
  const m = idRe.exec(ref);
  if (m) {
    const hits = all.filter((img) => img.id.startsWith(`sha256:${m[1]}`));
    if (hits.length === 1 && hits[0]) return hits[0];
  }
  throw notFound(`No such image: ${ref}`);
}

/** The record name a reference names, when `ref` is a name rather than an ID. */
export function recordNameOf(img: DockerImage, ref: string): string | undefined {
  try {
    const name = normalizeName(ref);
    return img.records.some((r) => r.name === name) ? name : undefined;
  } catch {
    return undefined;
  }
}
