/**
 * POST /commit: a container's changes become a new image, as moby's
 * containerd image store commits:
 * - the layer: containerd's Diff service compares a read-only view of the
 *   image's top snapshot with the container's snapshot and writes the
 *   changes (overlay whiteouts as OCI `.wh.` entries) as a gzip layer into
 *   the content store, its diff ID in the blob's containerd.io/uncompressed
 *   label; the container is frozen meanwhile when pause=1 (the default);
 * - the config: the parent image's, with the parent's diff IDs plus the new
 *   one, a history entry, and `config` from the container's Config, the body's
 *   overrides and the `changes` instructions (images/changes.ts);
 * - a manifest of the parent's kind (docker schema2 or OCI), unpacked into
 *   the snapshotter, and a record repo:tag (untagged: a dangling record).
 * Everything is written under one lease, dropped at the end.
 */
import { invalidArgument } from '@berth/errors';
import { applyChange } from '../images/changes.js';
import { sha256, writeBlob } from '../images/content.js';
import { withLease } from '../images/lease.js';
import { manifestGcLabels, mediaTypes, type Descriptor, type Manifest } from '../images/media.js';
import { normalizeName } from '../images/reference.js';
import { setRecord } from '../images/records.js';
import { danglingPrefix, findImage, type DockerImage } from '../images/store.js';
import { snapshotDiff } from '../images/snapshot-diff.js';
import { unpack } from '../images/unpack.js';
import type { Container } from './container.js';
import { configFromBody, mergeImageConfig, type ImageDefaults } from './create-config.js';
import type { Engine } from './engine.js';
import type { ContainerConfig } from './model.js';

export interface CommitOptions {
  repo: string;
  tag: string;
  comment: string;
  author: string;
  pause: boolean;
  changes: string[];
  /** The body: Config overrides (empty: the container's Config as it is). */
  config: Record<string, unknown>;
}

const oci = {
  manifest: mediaTypes.ociManifest,
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

/** The image config fields an image keeps (moby's containerConfigToDockerOCIImageConfig). */
const imageFields = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped', 'Healthcheck', 'OnBuild', 'Shell'] as const;

function newImageConfig(c: Container, o: CommitOptions): Record<string, unknown> {
  const own = c.record.config;
  const user: ContainerConfig = Object.keys(o.config).length === 0 ? structuredClone(own) : configFromBody({ ...o.config, Image: own.Image });
  const cfg = user as unknown as Record<string, unknown>;
  for (const line of o.changes) applyChange(cfg, line);
  const merged = Object.keys(o.config).length === 0 ? user : mergeImageConfig(user, own as unknown as ImageDefaults);
  const out: Record<string, unknown> = {};
  for (const k of imageFields) {
    const v = (merged as unknown as Record<string, unknown>)[k];
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  }
  return out;
}

/** The container's changes as a layer blob in the content store: its descriptor and diff ID. */
function diffLayer(e: Engine, c: Container, lease: string, mediaType: string): Promise<{ desc: Descriptor; diffId: string }> {
  return snapshotDiff(e, { key: c.id, parent: c.record.snapshotParent, mediaType, ref: `berthd-commit-${c.id}`, lease });
}

async function withPause<T>(e: Engine, c: Container, pause: boolean, fn: () => Promise<T>): Promise<T> {
  const freeze = pause && c.record.state.Status === 'running' && c.record.state.Pid > 0;
  if (freeze) await e.ctr.tasks.pause({ containerId: c.id });
  try {
    return await fn();
  } finally {
    if (freeze) await e.ctr.tasks.resume({ containerId: c.id }).catch((err: unknown) => e.log.warn('resume after commit failed', { id: c.id, error: (err as Error).message }));
  }
}

async function writeImage(e: Engine, c: Container, parent: DockerImage, o: CommitOptions, name: string | undefined): Promise<string> {
  const isOci = parent.manifest.mediaType === oci.manifest;
  const layerType = isOci ? oci.layerGzip : mediaTypes.dockerLayerGzip;
  return withLease(e.ctr, async (lease) => {
    const { desc, diffId } = await c.serial(() => withPause(e, c, o.pause, () => diffLayer(e, c, lease, layerType)));
    const created = new Date().toISOString();
    const history = [...(parent.config.history ?? []), {
      created,
      ...(o.author ? { author: o.author } : {}),
      created_by: (c.record.config.Cmd ?? []).join(' '),
      ...(o.comment ? { comment: o.comment } : {}),
    }];
    const config = {
      ...parent.config,
      ...(o.author ? { author: o.author } : { author: undefined }),
      ...(o.comment ? { comment: o.comment } : { comment: undefined }),
      config: newImageConfig(c, o),
      created,
      history,
      rootfs: { type: 'layers', diff_ids: [...(parent.config.rootfs?.diff_ids ?? []), diffId] },
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configDigest = sha256(configBytes);
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: isOci ? oci.manifest : mediaTypes.dockerManifest,
      config: { mediaType: isOci ? oci.config : mediaTypes.dockerConfig, digest: configDigest, size: configBytes.length },
      layers: [...parent.manifest.layers, desc],
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 3));
    const manifestDigest = sha256(manifestBytes);
    await writeBlob(e.ctr, configBytes, configDigest, {}, lease);
    await writeBlob(e.ctr, manifestBytes, manifestDigest, manifestGcLabels(manifest), lease);
    await unpack(e.ctr, manifest, config.rootfs.diff_ids, lease);
    const target = { mediaType: manifest.mediaType ?? mediaTypes.dockerManifest, digest: manifestDigest, size: manifestBytes.length };
    await setRecord(e.ctr, name ?? `${danglingPrefix}${manifestDigest}`, target, lease);
    return configDigest;
  });
}

export async function commitContainer(e: Engine, c: Container, o: CommitOptions): Promise<string> {
  if (o.tag !== '' && o.repo === '') throw invalidArgument('invalid reference format: a tag needs a repository');
  const name = o.repo ? normalizeName(o.tag ? `${o.repo}:${o.tag}` : o.repo) : undefined;
  const parent = await findImage(e.ctr, c.record.image);
  const id = await writeImage(e, c, parent, o, name);
  e.events.publish('container', 'commit', c.id, {
    comment: o.comment, imageID: id, imageRef: name ?? '', image: c.record.imageName, name: c.record.name.slice(1),
  });
  return id;
}
