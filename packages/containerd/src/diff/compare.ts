/**
 * Diff.Diff (containerd's walking differ Compare): both mount lists are
 * mounted read-only on temp dirs, the trees are compared (changes.ts), the
 * changes written as a layer tar (difftar.ts), gzip-compressed unless the
 * caller asked for application/vnd.oci.image.layer.v1.tar, and stored in the
 * content store with the "containerd.io/uncompressed" label (the diff ID).
 * Read-only: an overlay with an upper directory is mounted with the upper as
 * its top lower (containerd's readonlyOverlay), binds get "ro".
 */
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { withTempMount } from '../snapshots/mount.js';
import type { Mount } from '../snapshots/types.js';
import { uncompressedAnnotation, type Descriptor } from './apply.js';
import { changes } from './changes.js';
import type { ContentAccess } from './content.js';
import { ChangeWriter } from './difftar.js';
import { diffOutputCompression, MediaTypes } from './media.js';
import { TarWriter } from './tarwrite.js';

export interface CompareOptions {
  mediaType: string;
  ref: string;
  labels: Record<string, string>;
  lease?: string;
  signal?: AbortSignal;
  tmpRoot?: string;
}

export function readonlyMounts(mounts: Mount[]): Mount[] {
  return mounts.map((m) => {
    if (m.type === 'overlay') {
      let upper: string | undefined;
      let lowers: string | undefined;
      const rest: string[] = [];
      for (const o of m.options) {
        if (o.startsWith('upperdir=')) upper = o.slice('upperdir='.length);
        else if (o.startsWith('lowerdir=')) lowers = o.slice('lowerdir='.length);
        else if (!o.startsWith('workdir=')) rest.push(o);
      }
      if (upper === undefined) return m;
      return { ...m, options: [...rest, `lowerdir=${lowers === undefined ? upper : `${upper}:${lowers}`}`] };
    }
    return { ...m, options: [...m.options.filter((o) => o !== 'rw' && o !== 'ro'), 'ro'] };
  });
}

const uniqueRef = () => `${Date.now()}-${crypto.randomBytes(8).toString('base64url')}`;

export async function compareMounts(
  content: ContentAccess,
  ns: string,
  left: Mount[],
  right: Mount[],
  o: CompareOptions,
): Promise<Descriptor> {
  const compression = diffOutputCompression(o.mediaType);
  const mediaType = o.mediaType === '' ? MediaTypes.layerGzip : o.mediaType;
  return withTempMount(readonlyMounts(left), (lower) =>
    withTempMount(readonlyMounts(right), async (upper) => {
      const tar = new TarWriter();
      const hash = crypto.createHash('sha256');
      const out = compression === 'gzip' ? zlib.createGzip() : new PassThrough();
      tar.stream.on('data', (chunk: Buffer) => hash.update(chunk));
      tar.stream.on('error', (err) => out.destroy(err));
      tar.stream.pipe(out);
      const producing = (async () => {
        const writer = new ChangeWriter(tar, upper);
        await changes(lower, upper, (c) => writer.handle(c), o.signal);
        tar.finalize();
      })().catch((err: unknown) => {
        out.destroy(err as Error);
        throw err;
      });
      // The label is known only at the end; the writer takes it at commit.
      const labels = { ...o.labels };
      const written = content.write(ns, o.ref === '' ? uniqueRef() : o.ref, (async function* () {
        for await (const chunk of out) yield chunk as Buffer;
        labels[uncompressedAnnotation] = `sha256:${hash.digest('hex')}`;
      })(), labels, o.lease);
      const [, blob] = await Promise.all([producing, written]);
      return { mediaType, digest: blob.digest, size: blob.size, annotations: {} };
    }, o.tmpRoot),
  o.tmpRoot);
}
