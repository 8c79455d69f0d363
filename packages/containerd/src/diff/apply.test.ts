import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { applyLayer, type Descriptor } from './apply.js';
import { directoryContent } from './content.js';
import { MediaTypes } from './media.js';
import { tarBuffer } from './tarwrite.js';

const isRoot = process.getuid?.() === 0;
const sha256 = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

function putBlob(contentRoot: string, data: Buffer): string {
  const digest = sha256(data);
  const p = path.join(contentRoot, 'blobs', 'sha256', digest.slice('sha256:'.length));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return digest;
}

const layerTar = () =>
  tarBuffer([
    { header: { name: 'etc/', type: 'directory', mode: 0o755 } },
    { header: { name: 'etc/hello', type: 'file', mode: 0o644 }, body: Buffer.from('hello\n') },
    { header: { name: 'gone', type: 'file', mode: 0o644 }, body: Buffer.alloc(0) },
  ]);

describe.skipIf(!isRoot)('applyLayer (as root)', () => {
  let tmp: string;
  let contentRoot: string;
  const content = () => directoryContent(contentRoot);
  const desc = (digest: string, size: number, mediaType: string = MediaTypes.layerGzip): Descriptor => ({ mediaType, digest, size, annotations: {} });

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-applylayer-'));
    contentRoot = path.join(tmp, 'content');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('applies gzip, zstd and plain layers and answers the diff ID', async () => {
    const tar = await layerTar();
    for (const [data, mediaType] of [
      [zlib.gzipSync(tar), MediaTypes.layerGzip],
      [zlib.zstdCompressSync(tar), MediaTypes.layerZstd],
      [tar, MediaTypes.layer],
      [zlib.gzipSync(tar), MediaTypes.layer], // the magic bytes decide, as in containerd
    ] as const) {
      const target = fs.mkdtempSync(path.join(tmp, 'snap-'));
      const digest = putBlob(contentRoot, data);
      const applied = await applyLayer(content(), 'default', desc(digest, data.length, mediaType), [{ type: 'bind', source: target, options: ['rw', 'rbind'] }], { tmpRoot: tmp });
      expect(applied).toEqual({ mediaType: MediaTypes.layer, digest: sha256(tar), size: tar.length, annotations: {} });
      expect(fs.readFileSync(path.join(target, 'etc/hello'), 'utf8')).toBe('hello\n');
    }
    // every temp mount is gone
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(tmp);
  });

  it('writes straight into an overlay upper directory, with overlay whiteouts', async () => {
    const lower = path.join(tmp, 'lower');
    const upper = path.join(tmp, 'upper');
    fs.mkdirSync(path.join(lower, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(lower, 'etc/old'), 'old');
    fs.mkdirSync(upper);
    const tar = await tarBuffer([{ header: { name: 'etc/.wh.old', type: 'file', mode: 0o644 }, body: Buffer.alloc(0) }]);
    const digest = putBlob(contentRoot, tar);
    const mounts = [{ type: 'overlay', source: 'overlay', options: [`workdir=${tmp}/work`, `upperdir=${upper}`, `lowerdir=${lower}`] }];
    await applyLayer(content(), 'default', desc(digest, 0, MediaTypes.layer), mounts);
    const wh = fs.lstatSync(path.join(upper, 'etc/old'));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
  });

  it('fails with containerd-style errors on bad input, committing nothing', async () => {
    const target = path.join(tmp, 'snap');
    fs.mkdirSync(target);
    const mounts = [{ type: 'bind', source: target, options: ['rw', 'rbind'] }];
    const tar = await layerTar();
    const gz = zlib.gzipSync(tar);

    const truncated = gz.subarray(0, gz.length - 20);
    const tdigest = putBlob(contentRoot, truncated);
    const t = await applyLayer(content(), 'default', desc(tdigest, truncated.length), mounts, { tmpRoot: tmp }).catch((e: unknown) => e);
    expect(isBerthError(t, 'InvalidArgument'), String(t)).toBe(true);
    expect((t as Error).message).toBe(`failed to extract layer ${tdigest}: unexpected EOF (truncated compressed stream)`);

    // the store holds other bytes than the digest says
    const good = sha256(gz);
    const p = path.join(contentRoot, 'blobs/sha256', good.slice(7));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, zlib.gzipSync(Buffer.concat([tar.subarray(0, 512), Buffer.alloc(1024)])));
    const m = await applyLayer(content(), 'default', desc(good, 0), mounts, { tmpRoot: tmp }).catch((e: unknown) => e);
    expect(isBerthError(m, 'FailedPrecondition'), String(m)).toBe(true);
    expect((m as Error).message).toMatch(new RegExp(`^failed to verify layer ${good}: content has digest sha256:`));

    const n = await applyLayer(content(), 'default', desc(`sha256:${'a'.repeat(64)}`, 1), mounts).catch((e: unknown) => e);
    expect(isBerthError(n, 'NotFound')).toBe(true);
    expect((n as Error).message).toBe(`content digest sha256:${'a'.repeat(64)}`);

    const bad = await applyLayer(content(), 'default', desc('sha256:xyz', 1), mounts).catch((e: unknown) => e);
    expect(isBerthError(bad, 'InvalidArgument')).toBe(true);

    const mt = await applyLayer(content(), 'default', desc(good, 0, 'application/json'), mounts).catch((e: unknown) => e);
    expect(isBerthError(mt, 'NotImplemented')).toBe(true);
    expect((mt as Error).message).toBe('failed to get stream processor for application/json: no processor for media-type');

    const okDigest = putBlob(contentRoot, tar);
    const wrongId = { ...desc(okDigest, tar.length, MediaTypes.layer), annotations: { 'containerd.io/uncompressed': `sha256:${'b'.repeat(64)}` } };
    const w = await applyLayer(content(), 'default', wrongId, mounts, { tmpRoot: tmp }).catch((e: unknown) => e);
    expect(isBerthError(w, 'FailedPrecondition')).toBe(true);
    expect((w as Error).message).toMatch(/^wrong diff id calculated on extraction "sha256:/);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(tmp);
  });
});
