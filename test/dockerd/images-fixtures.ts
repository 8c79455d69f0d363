/**
 * Multi-layer images for the pull/save/history tests, pushed into a real
 * registry with skopeo: the busybox rootfs plus two small layers and an
 * empty_layer history entry, as an OCI manifest, as a docker schema2 manifest
 * (skopeo --format v2s2), and as an OCI index with linux/amd64 and
 * linux/arm64 entries (the arm64 one with a different top layer).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { hexOf, MEDIA, packDir, rootfsLayer, sha256, type Layer } from '../helpers/oci-image.js';
import { busyboxRootfs } from '../helpers/paths.js';

export interface Pushed {
  ref: string;
  /** what the tag points at (index or manifest) */
  digest: string;
  configDigest: string;
  layers: number;
}

function fileLayer(dir: string, files: Record<string, string>): Layer {
  const stage = fs.mkdtempSync(path.join(dir, 'layer-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(stage, name)), { recursive: true });
    fs.writeFileSync(path.join(stage, name), text);
  }
  const tar = execFileSync('tar', ['-C', stage, '--numeric-owner', '--owner=0', '--group=0', '--sort=name', '--mtime=2024-01-01', '-cf', '-', '.']);
  fs.rmSync(stage, { recursive: true });
  const gzip = zlib.gzipSync(tar);
  return { tar, diffId: sha256(tar), gzip, digest: sha256(gzip) };
}

interface Built {
  manifest: Buffer;
  config: Buffer;
  blobs: Array<[string, Buffer]>;
}

function image(layers: Layer[], arch: string): Built {
  const config = Buffer.from(JSON.stringify({
    architecture: arch,
    os: 'linux',
    created: '2024-02-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], Labels: { 'berth.test': 'pull' } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [
      { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:busybox in / ' },
      { created: '2024-01-15T00:00:00Z', created_by: '/bin/sh -c echo hello > /hello.txt', comment: 'first' },
      { created: '2024-01-20T00:00:00Z', created_by: '/bin/sh -c #(nop)  ENV FOO=bar', empty_layer: true },
      { created: '2024-02-01T00:00:00Z', created_by: `/bin/sh -c echo ${arch} > /etc/arch` },
    ],
  }));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: MEDIA.layerGzip, digest: l.digest, size: l.gzip.length })),
  }));
  return { manifest, config, blobs: [...layers.map((l): [string, Buffer] => [l.digest, l.gzip]), [sha256(config), config], [sha256(manifest), manifest]] };
}

function writeLayout(dir: string, out: string, blobs: Array<[string, Buffer]>, top: { mediaType: string; data: Buffer }, tag: string): void {
  const stage = fs.mkdtempSync(path.join(dir, 'oci-'));
  fs.mkdirSync(path.join(stage, 'blobs', 'sha256'), { recursive: true });
  for (const [d, b] of blobs) fs.writeFileSync(path.join(stage, 'blobs', 'sha256', hexOf(d)), b);
  fs.writeFileSync(path.join(stage, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(path.join(stage, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: top.mediaType, digest: sha256(top.data), size: top.data.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  packDir(stage, out);
  fs.rmSync(stage, { recursive: true });
}

function skopeo(args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8', timeout: 120_000 });
}

async function remoteDigest(registry: string, tag: string): Promise<string> {
  const accept = [MEDIA.manifest, MEDIA.index, 'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');
  const res = await fetch(`http://${registry}/v2/multi/manifests/${tag}`, { method: 'HEAD', headers: { Accept: accept } });
  return res.headers.get('docker-content-digest') ?? '';
}

/** Pushes the three flavours into `registry` (host:port); returns what each ref should pull. */
export async function pushTestImages(dir: string, registry: string): Promise<{ oci: Pushed; schema2: Pushed; index: Pushed; armConfig: string }> {
  const base = rootfsLayer(busyboxRootfs);
  const hello = fileLayer(dir, { 'hello.txt': 'hello\n' });
  const amd = fileLayer(dir, { 'etc/arch': 'amd64\n' });
  const arm = fileLayer(dir, { 'etc/arch': 'arm64\n' });
  const a = image([base, hello, amd], 'amd64');
  const b = image([base, hello, arm], 'arm64');
  const ociTar = path.join(dir, 'multi.oci.tar');
  writeLayout(dir, ociTar, a.blobs, { mediaType: MEDIA.manifest, data: a.manifest }, 'v1');
  skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci-archive:${ociTar}:v1`, `docker://${registry}/multi:oci`]);
  skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--format', 'v2s2', `oci-archive:${ociTar}:v1`, `docker://${registry}/multi:schema2`]);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      { mediaType: MEDIA.manifest, digest: sha256(a.manifest), size: a.manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
      { mediaType: MEDIA.manifest, digest: sha256(b.manifest), size: b.manifest.length, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
    ],
  }));
  const idxTar = path.join(dir, 'index.oci.tar');
  writeLayout(dir, idxTar, [...a.blobs, ...b.blobs, [sha256(index), index]], { mediaType: MEDIA.index, data: index }, 'v1');
  skopeo(['copy', '--quiet', '--all', '--dest-tls-verify=false', `oci-archive:${idxTar}:v1`, `docker://${registry}/multi:index`]);
  const configA = sha256(a.config);
  const pushed = async (tag: string): Promise<Pushed> => ({ ref: `${registry}/multi:${tag}`, digest: await remoteDigest(registry, tag), configDigest: configA, layers: 3 });
  return { oci: await pushed('oci'), schema2: await pushed('schema2'), index: await pushed('index'), armConfig: sha256(b.config) };
}
