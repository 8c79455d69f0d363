/**
 * A build step's result as an image of the containerd store: the parent's
 * config with the step's run config, ContainerConfig (whose Cmd is the cache
 * key) and a history entry; the parent's layers plus the step's own when it
 * changed the filesystem. Each step's image gets an untagged record, as the
 * classic builder keeps every intermediate image.
 */
import { sha256, writeBlob } from '../images/content.js';
import { manifestGcLabels, mediaTypes, type Descriptor, type ImageConfig, type Manifest } from '../images/media.js';
import { setRecord } from '../images/records.js';
import { danglingPrefix, type DockerImage } from '../images/store.js';
import { snapshotDiff } from '../images/snapshot-diff.js';
import { chainIds, unpack } from '../images/unpack.js';
import type { Engine } from '../containers/engine.js';

/**
 * On the untagged record of a step's image: docker lists intermediate images
 * only with `images -a`; the label lets the image list tell them apart. The
 * final image of an untagged build loses it.
 */
export const intermediateLabel = 'io.berth.build.intermediate';

/** The image a step starts from; scratch has no ID and no layers. */
export interface BaseImage {
  id: string;
  manifest: Manifest;
  config: ImageConfig;
}

export function scratchImage(): BaseImage {
  return {
    id: '',
    manifest: { schemaVersion: 2, mediaType: mediaTypes.dockerManifest, config: { mediaType: mediaTypes.dockerConfig, digest: '', size: 0 }, layers: [] },
    config: { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] },
  };
}

export const baseOf = (img: DockerImage): BaseImage => ({ id: img.id, manifest: img.manifest, config: img.config });

/** The top snapshot of an image ('' for scratch): what a step's snapshot is prepared on. */
export const topChainOf = (img: BaseImage): string => chainIds(img.config.rootfs?.diff_ids ?? []).at(-1) ?? '';

const isOci = (img: BaseImage): boolean => img.manifest.mediaType === mediaTypes.ociManifest;

export interface Layer {
  desc: Descriptor;
  diffId: string;
}

/** The changes of snapshot `key` over the image's top snapshot, as a gzip layer blob. */
export async function diffSnapshot(e: Engine, key: string, parent: BaseImage, lease: string): Promise<Layer> {
  const mediaType = isOci(parent) ? 'application/vnd.oci.image.layer.v1.tar+gzip' : mediaTypes.dockerLayerGzip;
  return snapshotDiff(e, { key, parent: topChainOf(parent), mediaType, ref: `berthd-build-${key}`, lease });
}

export interface StepImage {
  /** The image config's `config` (Env, Cmd, ...). */
  runConfig: Record<string, unknown>;
  /** ContainerConfig.Cmd: the cache key of this step. */
  cacheCmd: string[];
  layer: Layer | undefined;
}

/** Writes config, manifest and record of a step's image; the layer (if any) is already in the content store under `lease`. */
export async function writeStepImage(e: Engine, parent: BaseImage, step: StepImage, lease: string): Promise<BaseImage> {
  const created = new Date().toISOString();
  const oci = isOci(parent);
  const diffIds = [...(parent.config.rootfs?.diff_ids ?? []), ...(step.layer ? [step.layer.diffId] : [])];
  const config: ImageConfig & Record<string, unknown> = {
    ...parent.config,
    architecture: parent.config.architecture ?? 'amd64',
    os: parent.config.os ?? 'linux',
    config: step.runConfig,
    container_config: { ...step.runConfig, Cmd: step.cacheCmd },
    created,
    history: [...(parent.config.history ?? []), { created, created_by: step.cacheCmd.join(' '), ...(step.layer ? {} : { empty_layer: true }) }],
    rootfs: { type: 'layers', diff_ids: diffIds },
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = sha256(configBytes);
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: oci ? mediaTypes.ociManifest : mediaTypes.dockerManifest,
    config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : mediaTypes.dockerConfig, digest: configDigest, size: configBytes.length },
    layers: [...parent.manifest.layers, ...(step.layer ? [step.layer.desc] : [])],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 3));
  const manifestDigest = sha256(manifestBytes);
  await writeBlob(e.ctr, configBytes, configDigest, {}, lease);
  await writeBlob(e.ctr, manifestBytes, manifestDigest, manifestGcLabels(manifest), lease);
  await unpack(e.ctr, manifest, diffIds, lease);
  const target = { mediaType: manifest.mediaType ?? mediaTypes.dockerManifest, digest: manifestDigest, size: manifestBytes.length };
  await setRecord(e.ctr, `${danglingPrefix}${manifestDigest}`, target, lease, { [intermediateLabel]: 'true' });
  return { id: configDigest, manifest, config };
}
