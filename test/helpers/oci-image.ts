/**
 * Builds image tarballs from a root filesystem directory, so tests can import
 * the busybox rootfs into real containerd (`ctr images import`) without a
 * registry: one layer (a `tar` of the rootfs, gzipped), an image config with
 * rootfs.diff_ids and config.Cmd/Env, and an OCI image layout around them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export function sha256(data: Buffer | string): string {
  return `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part of "sha256:<hex>". */
export const hexOf = (digest: string): string => digest.slice('sha256:'.length);

export interface Layer {
  /** The uncompressed tar (what rootfs.diff_ids names). */
  tar: Buffer;
  diffId: string;
  gzip: Buffer;
  digest: string;
}

/** One layer holding the whole of `rootfs`, owned by root (numeric ids, as image layers are). */
export function rootfsLayer(rootfs: string): Layer {
  const tar = execFileSync('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '--sort=name', '-cf', '-', '.'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const gzip = zlib.gzipSync(tar);
  return { tar, diffId: sha256(tar), gzip, digest: sha256(gzip) };
}

export interface ImageConfigOptions {
  cmd: string[];
  env?: string[];
  workingDir?: string;
}

/** The image config JSON (the same document serves OCI and docker save). */
export function imageConfig(layer: Layer, o: ImageConfigOptions): Buffer {
  const config = {
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: {
      Env: o.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: o.cmd,
      ...(o.workingDir ? { WorkingDir: o.workingDir } : {}),
    },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created: '2024-01-01T00:00:00Z', created_by: 'berth test: busybox rootfs' }],
  };
  return Buffer.from(JSON.stringify(config));
}

/** Packs a staged directory into a tar file, entries named without a leading "./". */
export function packDir(dir: string, outFile: string): void {
  const entries = fs.readdirSync(dir).sort();
  execFileSync('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', '-cf', outFile, ...entries]);
}

export interface OciImageOptions extends ImageConfigOptions {
  rootfs: string;
  /** Full image name, e.g. docker.io/library/busybox:berth-123. */
  name: string;
  /** Where to write the tarball. */
  out: string;
}

export interface BuiltImage {
  file: string;
  name: string;
  manifestDigest: string;
  configDigest: string;
}

/**
 * An OCI image layout tarball (oci-layout, index.json, blobs/sha256/...). The
 * index entry carries both the short ref (org.opencontainers.image.ref.name)
 * and the full name (io.containerd.image.name), which `ctr images import`
 * uses as the image name.
 */
export function buildOciImage(o: OciImageOptions): BuiltImage {
  const layer = rootfsLayer(o.rootfs);
  const config = imageConfig(layer, o);
  const configDigest = sha256(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: configDigest, size: config.length },
      layers: [{ mediaType: MEDIA.layerGzip, digest: layer.digest, size: layer.gzip.length }],
    }),
  );
  const manifestDigest = sha256(manifest);
  const tag = o.name.slice(o.name.lastIndexOf(':') + 1);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest: manifestDigest,
        size: manifest.length,
        platform: { architecture: 'amd64', os: 'linux' },
        annotations: { 'io.containerd.image.name': o.name, 'org.opencontainers.image.ref.name': tag },
      },
    ],
  };
  const stage = fs.mkdtempSync(path.join(path.dirname(o.out), 'oci-stage-'));
  try {
    const blobs = path.join(stage, 'blobs', 'sha256');
    fs.mkdirSync(blobs, { recursive: true });
    for (const [digest, data] of [
      [layer.digest, layer.gzip],
      [configDigest, config],
      [manifestDigest, manifest],
    ] as const)
      fs.writeFileSync(path.join(blobs, hexOf(digest)), data);
    fs.writeFileSync(path.join(stage, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    fs.writeFileSync(path.join(stage, 'index.json'), JSON.stringify(index));
    packDir(stage, o.out);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  return { file: o.out, name: o.name, manifestDigest, configDigest };
}
