/**
 * POST /images/create?fromSrc=-: a root filesystem tarball on the body
 * (plain or gzip) becomes a one-layer image: the layer blob (uncompressed, so
 * its digest is its diff ID), a config with the `changes` applied and the
 * message as comment and history, a docker schema2 manifest, the layer
 * unpacked, and a record for repo:tag (or an untagged one). Answers
 * `{"status":"sha256:<id>"}` as dockerd does.
 */
import zlib from 'node:zlib';
import { invalidArgument } from '@berth/errors';
import type { Containerd } from '../containerd.js';
import { applyChange } from './changes.js';
import { sha256, writeBlob } from './content.js';
import { withLease } from './lease.js';
import { manifestGcLabels, mediaTypes, type Manifest } from './media.js';
import { normalizeName } from './reference.js';
import { setRecord } from './records.js';
import { danglingPrefix } from './store.js';
import { unpack } from './unpack.js';

export interface ImportOptions {
  repo: string;
  tag: string;
  message: string;
  changes: string[];
  platform?: { os: string; architecture: string; variant?: string };
}

const isGzip = (b: Buffer): boolean => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

export async function importImage(ctr: Containerd, body: Buffer, o: ImportOptions): Promise<string> {
  const name = o.repo ? normalizeName(o.tag ? `${o.repo}:${o.tag}` : o.repo) : undefined;
  const layer = isGzip(body) ? zlib.gunzipSync(body) : body;
  if (layer.length < 512) throw invalidArgument('archive/tar: invalid tar header');
  const diffId = sha256(layer);
  const cfg: Record<string, unknown> = {};
  for (const c of o.changes) applyChange(cfg, c);
  const created = new Date().toISOString();
  const config = {
    architecture: o.platform?.architecture ?? 'amd64',
    ...(o.message ? { comment: o.message } : {}),
    config: cfg,
    created,
    history: [{ created, ...(o.message ? { comment: o.message } : {}) }],
    os: o.platform?.os ?? 'linux',
    ...(o.platform?.variant ? { variant: o.platform.variant } : {}),
    rootfs: { type: 'layers', diff_ids: [diffId] },
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256(configBytes);
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, digest: configDigest, size: configBytes.length },
    layers: [{ mediaType: mediaTypes.dockerLayer, digest: diffId, size: layer.length }],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const manifestDigest = sha256(manifestBytes);
  await withLease(ctr, async (lease) => {
    await writeBlob(ctr, layer, diffId, {}, lease);
    await writeBlob(ctr, configBytes, configDigest, {}, lease);
    await writeBlob(ctr, manifestBytes, manifestDigest, manifestGcLabels(manifest), lease);
    await unpack(ctr, manifest, [diffId], lease);
    const target = { mediaType: mediaTypes.dockerManifest, digest: manifestDigest, size: manifestBytes.length };
    await setRecord(ctr, name ?? `${danglingPrefix}${manifestDigest}`, target, lease);
  });
  return configDigest;
}
