/**
 * GET /images/get and /images/{name}/get: `docker save` archives in the
 * layout docker 25+ writes, which is at once an OCI image layout and the
 * classic docker-save format: blobs/sha256/<hex> for every layer, config and
 * manifest (blobs exported as stored, gzip layers included: docker load and
 * the OCI tools read both), index.json naming each manifest with
 * io.containerd.image.name / org.opencontainers.image.ref.name, manifest.json
 * (Config, RepoTags, Layers as blob paths), repositories and oci-layout.
 * Everything is resolved before the first byte, so a missing name is a 404.
 */
import type { Writable } from 'node:stream';
import type { Containerd } from '../containerd.js';
import { readBlob } from './content.js';
import { mediaTypes } from './media.js';
import { familiarName, familiarRepository, parseReference } from './reference.js';
import { danglingPrefix, findImage, recordNameOf, type DockerImage } from './store.js';
import { TarWriter } from './tar-writer.js';

interface Entry {
  img: DockerImage;
  /** full record names to save as tags */
  names: Set<string>;
}

const blobPath = (digest: string): string => `blobs/sha256/${digest.replace(/^sha256:/, '')}`;

/** Which images and tags the requested references name (an ID names no tag; a bare repository all its tags). */
export async function resolveSave(ctr: Containerd, refs: string[]): Promise<Entry[]> {
  const byId = new Map<string, Entry>();
  for (const ref of refs) {
    const img = await findImage(ctr, ref);
    const entry = byId.get(img.id) ?? { img, names: new Set<string>() };
    byId.set(img.id, entry);
    const name = recordNameOf(img, ref);
    if (name === undefined || name.includes('@')) continue;
    let bare = false;
    try { const r = parseReference(ref); bare = r.tag === undefined && r.digest === undefined; } catch { bare = false; }
    if (bare) {
      const repo = parseReference(name).repository;
      for (const rec of img.records) {
        if (!rec.name.startsWith(danglingPrefix) && !rec.name.includes('@') && parseReference(rec.name).repository === repo) entry.names.add(rec.name);
      }
    } else {
      entry.names.add(name);
    }
  }
  return [...byId.values()];
}

async function* blobChunks(ctr: Containerd, digest: string): AsyncIterable<Uint8Array> {
  for await (const r of ctr.content.read({ digest })) yield r.data;
}

export async function writeSave(ctr: Containerd, entries: Entry[], out: Writable): Promise<void> {
  const tar = new TarWriter(out);
  const written = new Set<string>();
  await tar.dir('blobs');
  await tar.dir('blobs/sha256');
  const manifestJson: unknown[] = [];
  const index: Array<Record<string, unknown>> = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { img, names } of entries) {
    const m = img.manifest;
    for (const layer of m.layers) {
      if (written.has(layer.digest)) continue;
      written.add(layer.digest);
      await tar.stream(blobPath(layer.digest), layer.size, blobChunks(ctr, layer.digest));
    }
    for (const digest of [m.config.digest, img.manifestDigest]) {
      if (written.has(digest)) continue;
      written.add(digest);
      await tar.file(blobPath(digest), await readBlob(ctr, digest));
    }
    const manifestBytes = await readBlob(ctr, img.manifestDigest);
    const tags = [...names].sort();
    const desc = { mediaType: m.mediaType ?? mediaTypes.dockerManifest, digest: img.manifestDigest, size: manifestBytes.length };
    if (tags.length === 0) index.push(desc);
    for (const name of tags) {
      const tag = parseReference(name).tag ?? 'latest';
      index.push({ ...desc, annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tag } });
      const repo = familiarRepository(parseReference(name).repository);
      const top = m.layers[m.layers.length - 1];
      if (top) (repositories[repo] ??= {})[tag] = top.digest.replace(/^sha256:/, '');
    }
    manifestJson.push({
      Config: blobPath(m.config.digest),
      RepoTags: tags.length ? tags.map(familiarName) : null,
      Layers: m.layers.map((l) => blobPath(l.digest)),
    });
  }
  await tar.file('index.json', Buffer.from(`${JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: index })}\n`));
  await tar.file('manifest.json', Buffer.from(`${JSON.stringify(manifestJson)}\n`));
  await tar.file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  if (Object.keys(repositories).length) await tar.file('repositories', Buffer.from(`${JSON.stringify(repositories)}\n`));
  await tar.end();
}
