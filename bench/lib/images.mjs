// What the benchmarks that pull share: a gzipped OCI archive of random-data
// layers to push to a local registry, a free loopback port, a process's RSS.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';

export const sha256 = (b) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

export const rssKb = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/** A gzipped OCI archive (oci-archive:) in `tmp` of `layers` (uncompressed tars) named `name` with `cmd`; its compressed size. */
export function ociArchive(tmp, name, layers, cmd, out) {
  const dir = fs.mkdtempSync(path.join(tmp, 'oci-'));
  const blobs = path.join(dir, 'blobs/sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (buf) => {
    const d = sha256(buf);
    fs.writeFileSync(path.join(blobs, d.slice(7)), buf);
    return { digest: d, size: buf.length };
  };
  const descs = layers.map((tar) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(zlib.gzipSync(tar, { level: 1 })) }));
  const config = put(Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: cmd },
    rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
  })));
  const manifest = put(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: descs })));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': name.split(':').pop() } }] }));
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  execFileSync('tar', ['-C', dir, '-cf', out, 'oci-layout', 'index.json', 'blobs']);
  fs.rmSync(dir, { recursive: true });
  return descs.reduce((n, d) => n + d.size, 0);
}

/** A tar (made in `tmp`) holding one file of `bytes` random bytes. */
export function randomLayer(tmp, i, bytes) {
  const dir = fs.mkdtempSync(path.join(tmp, 'layer-'));
  fs.writeFileSync(path.join(dir, `data-${i}.bin`), crypto.randomBytes(bytes));
  const tar = execFileSync('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', '-cf', '-', '.'], { maxBuffer: 1 << 30 });
  fs.rmSync(dir, { recursive: true });
  return tar;
}

export async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}
