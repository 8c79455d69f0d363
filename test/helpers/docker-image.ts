/**
 * Builds a `docker save` tarball (the format `docker load` reads): manifest.json
 * naming the config and layer files and the repo tags, <config-hex>.json, and
 * <layer-id>/layer.tar (uncompressed) with its VERSION and json files, plus a
 * legacy `repositories` file, as docker 20.10 writes them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hexOf, imageConfig, packDir, rootfsLayer, sha256, type BuiltImage, type ImageConfigOptions } from './oci-image.js';

export interface DockerImageOptions extends ImageConfigOptions {
  rootfs: string;
  /** repo:tag, e.g. berth-busybox:123. */
  tag: string;
  out: string;
}

export function buildDockerImage(o: DockerImageOptions): BuiltImage {
  const layer = rootfsLayer(o.rootfs);
  const config = imageConfig(layer, o);
  const configDigest = sha256(config);
  // The v1 layer id: any stable 64-hex id; docker derives it from the chain the same way.
  const layerId = hexOf(sha256(`${layer.diffId}\n`));
  const stage = fs.mkdtempSync(path.join(path.dirname(o.out), 'docker-stage-'));
  try {
    fs.writeFileSync(path.join(stage, `${hexOf(configDigest)}.json`), config);
    const layerDir = path.join(stage, layerId);
    fs.mkdirSync(layerDir);
    fs.writeFileSync(path.join(layerDir, 'layer.tar'), layer.tar);
    fs.writeFileSync(path.join(layerDir, 'VERSION'), '1.0');
    fs.writeFileSync(path.join(layerDir, 'json'), JSON.stringify({ id: layerId, created: '2024-01-01T00:00:00Z', os: 'linux' }));
    fs.writeFileSync(
      path.join(stage, 'manifest.json'),
      JSON.stringify([{ Config: `${hexOf(configDigest)}.json`, RepoTags: [o.tag], Layers: [`${layerId}/layer.tar`] }]),
    );
    const colon = o.tag.lastIndexOf(':');
    fs.writeFileSync(path.join(stage, 'repositories'), JSON.stringify({ [o.tag.slice(0, colon)]: { [o.tag.slice(colon + 1)]: layerId } }));
    packDir(stage, o.out);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  return { file: o.out, name: o.tag, manifestDigest: '', configDigest };
}
