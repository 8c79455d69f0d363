/**
 * POST /images/{name}/push: a Distribution API v2 push from the containerd
 * image store with dockerd's progress stream. "The push refers to repository
 * [...]" comes first and every later failure (no such image or tag, registry
 * errors) travels in the stream, as dockerd 20.10 sends them. Per tag: layers
 * top first ("Preparing", "Waiting" beyond five at a time), then the config,
 * and only when every blob is in the registry the manifest as stored (its
 * bytes, so the digest printed is the registry's), then "<tag>: digest: ...
 * size: N" and the aux {Tag, Digest, Size}. No tag pushes every tag of the
 * repository.
 */
import { internal } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import type { Credentials } from '../registry/auth.js';
import { RegistryClient } from '../registry/client.js';
import { probeRegistry } from '../registry/endpoint.js';
import { BlobPusher } from '../registry/upload.js';
import { readBlob } from './content.js';
import { mediaTypes } from './media.js';
import { layerStatus, message, type ProgressWriter } from './progress.js';
import { pushBlob, rememberSource, sourceLabel, type PushContext } from './push-blob.js';
import { familiarName, familiarRepository, parseReference } from './reference.js';
import { listImages, type DockerImage } from './store.js';
import { limiter } from './limiter.js';

/** dockerd's max-concurrent-uploads. */
const maxUploads = 5;

const shortId = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);

interface Tagged {
  tag: string;
  img: DockerImage;
}

/** The images to push: the named tag, or every tag of the repository. */
async function tagsToPush(ctr: Containerd, repository: string, tag: string | undefined): Promise<Tagged[]> {
  const found: Tagged[] = [];
  for (const img of await listImages(ctr)) {
    for (const rec of img.records) {
      if (rec.name.includes('@')) continue;
      let r;
      try { r = parseReference(rec.name); } catch { continue; }
      if (r.repository === repository && r.tag !== undefined && (tag === undefined || r.tag === tag)) found.push({ tag: r.tag, img });
    }
  }
  if (found.length === 0) {
    if (tag === undefined) throw internal(`An image does not exist locally with the tag: ${familiarRepository(repository)}`);
    const anyTag = await tagsToPush(ctr, repository, undefined).then((t) => t.length > 0, () => false);
    if (!anyTag) throw internal(`An image does not exist locally with the tag: ${familiarRepository(repository)}`);
    throw internal(`tag does not exist: ${familiarName(`${repository}:${tag}`)}`);
  }
  return found.sort((a, b) => a.tag.localeCompare(b.tag));
}

async function pushTag(p: PushContext, { tag, img }: Tagged, out: ProgressWriter): Promise<void> {
  const m = img.manifest;
  const diffIds = img.config.rootfs?.diff_ids ?? [];
  // moby lists the layers from the top down, and names each by its diff ID
  const layers = m.layers.map((l, i) => ({ desc: l, id: shortId(diffIds[i] ?? l.digest) })).reverse();
  for (const l of layers) out(layerStatus(l.id, 'Preparing'));
  layers.slice(maxUploads).forEach((l) => out(layerStatus(l.id, 'Waiting')));
  const limit = limiter(maxUploads);
  const uploads = layers.map((l) => limit(() => pushBlob(p, l.desc.digest, l.desc.size, out, l.id)));
  // the first failure ends the push; the others must not go unhandled meanwhile
  for (const u of uploads) u.catch(() => undefined);
  for (const u of uploads) await u;
  await pushBlob(p, m.config.digest, m.config.size, out);
  const body = await readBlob(p.ctr, img.manifestDigest);
  const digest = img.manifestDigest;
  const served = await p.blobs.putManifest(tag, m.mediaType ?? mediaTypes.dockerManifest, body);
  if (served && served !== digest) throw internal(`registry stored the manifest as ${served}, not ${digest}`);
  for (const d of [...m.layers.map((l) => l.digest), m.config.digest, digest]) await rememberSource(p, d);
  out(message(`${tag}: digest: ${digest} size: ${body.length}`));
  out({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: body.length } });
}

/** `name` as in the path (maybe with a tag), `tag` the query's. */
export async function runPush(ctr: Containerd, name: string, tag: string, creds: Credentials, out: ProgressWriter): Promise<void> {
  const ref = parseReference(tag ? `${name.replace(/:[^/:]*$/, '')}:${tag}` : name);
  const slash = ref.repository.indexOf('/');
  const registryHost = ref.repository.slice(0, slash);
  const path = ref.repository.slice(slash + 1);
  out(message(`The push refers to repository [${ref.repository}]`));
  const tagged = await tagsToPush(ctr, ref.repository, ref.tag);
  const names = { familiar: familiarName(`${ref.repository}:${ref.tag ?? 'latest'}`), familiarName: familiarRepository(ref.repository) };
  await probeRegistry(registryHost);
  const client = new RegistryClient(registryHost, path, creds, names, 'pull,push');
  // a token must also allow pulling from the repositories we may mount from
  for (const t of tagged) {
    for (const l of t.img.manifest.layers) {
      const info = await ctr.content.info({ digest: l.digest }).catch(() => undefined);
      for (const src of (info?.info?.labels[sourceLabel(registryHost)] ?? '').split(',').filter((s) => s && s !== path)) {
        client.addScope(`repository:${src}:pull`);
      }
    }
  }
  await client.ping();
  const hasCreds = creds.username !== undefined || creds.registrytoken !== undefined || creds.identitytoken !== undefined;
  const p: PushContext = { ctr, blobs: new BlobPusher(client, hasCreds), registryHost, path };
  for (const t of tagged) await pushTag(p, t, out);
}
