/**
 * Diff.Apply (containerd's diff/apply fsApplier): stream a layer blob from
 * the content store, decompress it by its magic bytes, untar it into the
 * snapshot the mounts describe, and answer the uncompressed digest (the diff
 * ID) and size with media type application/vnd.oci.image.layer.v1.tar.
 *
 * Where the bytes go (containerd's apply_linux.go):
 * - one overlay mount with an upperdir: straight into the upper directory,
 *   whiteouts as overlay whiteouts, no mount needed;
 * - anything else (bind mounts of overlayfs or native snapshots): mounted on
 *   a temp dir with mount(8), whiteouts as deletions, unmounted after.
 *
 * Unlike containerd, the blob's own digest (and size, when given) is checked
 * as it streams, and a "containerd.io/uncompressed" annotation, when present,
 * must equal the computed diff ID. Any failure leaves the half-written
 * snapshot to the caller, who removes it (the unpacker does); nothing is
 * committed here.
 */
import crypto from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { BerthError, failedPrecondition, invalidArgument, isBerthError } from '@berth/errors';
import { validateDigest } from '../content/digest.js';
import { silentLogger, type Logger } from '../log.js';
import { withTempMount } from '../snapshots/mount.js';
import type { Mount } from '../snapshots/types.js';
import { applyTar } from './applier.js';
import type { ContentAccess } from './content.js';
import { decompress } from './decompress.js';
import { diffCompression, MediaTypes } from './media.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
}

export const uncompressedAnnotation = 'containerd.io/uncompressed';

/** A pass-through that hashes and counts what goes by. */
function tap(): Transform & { digest(): string; count: number } {
  const hash = crypto.createHash('sha256');
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      out.count += chunk.length;
      done(null, chunk);
    },
  });
  const out = Object.assign(t, { count: 0, digest: () => `sha256:${hash.digest('hex')}` });
  return out;
}

function chain<T extends NodeJS.WritableStream & Readable>(from: Readable, to: T): T {
  from.on('error', (err) => to.destroy(err));
  return from.pipe(to);
}

/** Where to write, and how whiteouts look there. */
function target(mounts: Mount[]): { upper: string; lowers: string[] } | undefined {
  if (mounts.length !== 1 || mounts[0]!.type !== 'overlay') return undefined;
  let upper: string | undefined;
  let lowers: string[] = [];
  for (const o of mounts[0]!.options) {
    if (o.startsWith('upperdir=')) upper = o.slice('upperdir='.length);
    else if (o.startsWith('lowerdir=')) lowers = o.slice('lowerdir='.length).split(':');
  }
  return upper === undefined ? undefined : { upper, lowers };
}

function describe(err: unknown, digest: string): BerthError {
  const context = `failed to extract layer ${digest}`;
  if (isBerthError(err)) return new BerthError(err.code, `${context}: ${err.message}`, { cause: err });
  const e = err as NodeJS.ErrnoException;
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
    const what = e.code === 'Z_BUF_ERROR' ? 'unexpected EOF (truncated compressed stream)' : e.message;
    return invalidArgument(`${context}: ${what}`, err);
  }
  if (err instanceof Error && /^(Unexpected end of data|Invalid tar header|Header exceeds max size|Invalid header)/.test(err.message)) {
    return invalidArgument(`${context}: tar: ${err.message}`, err);
  }
  return new BerthError('Internal', `${context}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

export async function applyLayer(
  content: ContentAccess,
  ns: string,
  desc: Descriptor,
  mounts: Mount[],
  options: { signal?: AbortSignal; log?: Logger; tmpRoot?: string } = {},
): Promise<Descriptor> {
  const log = options.log ?? silentLogger;
  validateDigest(desc.digest);
  diffCompression(desc.mediaType);
  if (mounts.length === 0) throw invalidArgument('no mounts to apply the layer to');
  const started = Date.now();
  const blob = await content.read(ns, desc.digest);
  const compressed = tap();
  const uncompressed = tap();
  // The stream chain is built only once the target is ready, so no stage
  // can fail while nothing listens (a mount takes a while).
  const untar = async (root: string, whiteouts: 'overlay' | 'naive', parents: string[]) => {
    const { stream } = await decompress(chain(blob.stream, compressed));
    const tar = chain(stream, uncompressed);
    await applyTar(root, tar, { whiteouts, parents, log, ...(options.signal ? { signal: options.signal } : {}) });
    // Trailing data (tar padding after the end marker) still counts in the digest.
    if (!tar.readableEnded) for await (const chunk of tar) void chunk;
  };
  try {
    const overlay = target(mounts);
    if (overlay !== undefined) await untar(overlay.upper, 'overlay', overlay.lowers);
    else await withTempMount(mounts, (root) => untar(root, 'naive', []), options.tmpRoot);
  } catch (err) {
    blob.stream.destroy();
    throw describe(err, desc.digest);
  }
  const actual = compressed.digest();
  if (actual !== desc.digest) {
    throw failedPrecondition(`failed to verify layer ${desc.digest}: content has digest ${actual}`);
  }
  if (desc.size > 0 && compressed.count !== desc.size) {
    throw failedPrecondition(`failed to verify layer ${desc.digest}: size ${compressed.count} != ${desc.size}`);
  }
  const diffId = uncompressed.digest();
  const expected = desc.annotations[uncompressedAnnotation];
  if (expected !== undefined && expected !== diffId) {
    throw failedPrecondition(`wrong diff id calculated on extraction ${JSON.stringify(diffId)}, expected ${expected}`);
  }
  log.debug('applied diff', { digest: desc.digest, diffId, size: uncompressed.count, ms: Date.now() - started });
  return { mediaType: MediaTypes.layer, digest: diffId, size: uncompressed.count, annotations: {} };
}
