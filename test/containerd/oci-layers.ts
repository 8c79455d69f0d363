/**
 * Multi-layer OCI image tarballs for the diff tests: each layer is a tar
 * (given as bytes) stored gzip-compressed, zstd-compressed or plain, with
 * its own media type; the config lists the diff IDs (or wrong ones, on
 * purpose); `ctr images import` reads the result.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { MEDIA, packDir, sha256, hexOf } from '../helpers/oci-image.js';

export interface LayerSpec {
  tar: Buffer;
  compression?: 'gzip' | 'zstd' | 'none';
  /** Replaces the stored bytes (e.g. a truncated gzip); the digest follows the bytes. */
  mangle?: (blob: Buffer) => Buffer;
  /** Puts this diff ID in the config instead of the real one. */
  diffId?: string;
}

const mediaOf = { gzip: MEDIA.layerGzip, zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', none: 'application/vnd.oci.image.layer.v1.tar' } as const;

export function buildLayeredImage(name: string, layers: LayerSpec[], out: string): { file: string; diffIds: string[] } {
  const blobs: Array<[string, Buffer]> = [];
  const descs = layers.map((l) => {
    const c = l.compression ?? 'gzip';
    let blob = c === 'gzip' ? zlib.gzipSync(l.tar) : c === 'zstd' ? zlib.zstdCompressSync(l.tar) : l.tar;
    if (l.mangle) blob = l.mangle(blob);
    const digest = sha256(blob);
    blobs.push([digest, blob]);
    return { mediaType: mediaOf[c], digest, size: blob.length };
  });
  const diffIds = layers.map((l) => l.diffId ?? sha256(l.tar));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
    }),
  );
  const configDigest = sha256(config);
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: { mediaType: MEDIA.config, digest: configDigest, size: config.length }, layers: descs }),
  );
  const manifestDigest = sha256(manifest);
  blobs.push([configDigest, config], [manifestDigest, manifest]);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        mediaType: MEDIA.manifest,
        digest: manifestDigest,
        size: manifest.length,
        platform: { architecture: 'amd64', os: 'linux' },
        annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.slice(name.lastIndexOf(':') + 1) },
      },
    ],
  };
  const stage = fs.mkdtempSync(path.join(path.dirname(out), 'layers-stage-'));
  try {
    fs.mkdirSync(path.join(stage, 'blobs', 'sha256'), { recursive: true });
    for (const [digest, data] of blobs) fs.writeFileSync(path.join(stage, 'blobs', 'sha256', hexOf(digest)), data);
    fs.writeFileSync(path.join(stage, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    fs.writeFileSync(path.join(stage, 'index.json'), JSON.stringify(index));
    packDir(stage, out);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  return { file: out, diffIds };
}

/** A listing of a tree (type, mode, owner, size, link target, content hash, rdev), for comparing two unpacks. */
export function treeListing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const full = path.join(root, p);
      const st = fs.lstatSync(full);
      const extra = st.isSymbolicLink()
        ? `-> ${fs.readlinkSync(full)}`
        : st.isFile()
          ? sha256(fs.readFileSync(full))
          : st.isCharacterDevice() || st.isBlockDevice()
            ? `rdev ${st.rdev}`
            : '';
      out.push(`${p} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.isDirectory() ? '' : st.size} ${extra} ${st.isDirectory() ? '' : st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}
