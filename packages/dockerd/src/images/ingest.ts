/**
 * Streams a blob into containerd's content store (the Content Write API:
 * STAT, WRITE per ~1 MiB, COMMIT with the expected digest and size), reporting
 * progress as bytes arrive. containerd hashes what it writes and refuses a
 * commit whose digest or size is not the expected one, so berthd does not
 * hash the bytes a second time. Each ingest has its own ref, aborted on
 * failure, so a broken pull leaves no half-written blob behind and never
 * blocks the next one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { internal, isBerthError } from '@berth/errors';
import { WriteAction } from '@berth/containerd/gen/containerd/services/content/v1/content_pb';
import type { Containerd } from '../containerd.js';

type WriteInit = Parameters<Containerd['content']['write']>[0] extends AsyncIterable<infer T> ? T : never;

/**
 * Bytes per WRITE message. The network hands over 64 KiB pieces; one gRPC
 * message each costs both daemons more than the bytes do (a 20 MB blob took
 * ~450 ms in 64 KiB messages, ~240 ms in 1 MiB ones). Kept just under 1 MiB so
 * that the protobuf writer's buffer (doubling from 128 bytes) stops at 1 MiB
 * instead of growing to 2 MiB for the few header bytes.
 */
export const writeChunk = (1 << 20) - 4096;

export interface IngestOptions {
  digest: string;
  size: number;
  labels: Record<string, string>;
  lease: string;
  /** Called with the bytes received so far. */
  onProgress?: (current: number) => void;
  /** Called once every byte is in, before the commit (which verifies the digest). */
  onVerified?: () => void;
}

export async function hasBlob(ctr: Containerd, digest: string): Promise<boolean> {
  try {
    await ctr.content.info({ digest });
    return true;
  } catch (err) {
    if (isBerthError(err, 'NotFound')) return false;
    throw err;
  }
}

/** Regroups a stream of small pieces into pieces of `size` bytes (the last one shorter). */
export async function* rechunk(body: AsyncIterable<Uint8Array>, size: number): AsyncIterable<Uint8Array> {
  let parts: Uint8Array[] = [];
  let have = 0;
  for await (const piece of body) {
    let p = piece;
    while (have + p.length >= size) {
      const take = size - have;
      parts.push(p.subarray(0, take));
      yield parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, size);
      p = p.subarray(take);
      parts = [];
      have = 0;
    }
    if (p.length > 0) {
      parts.push(p);
      have += p.length;
    }
  }
  if (have > 0) yield parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts, have);
}

export async function ingestStream(ctr: Containerd, body: AsyncIterable<Uint8Array>, o: IngestOptions): Promise<void> {
  const ref = `berthd-pull-${o.digest}-${randomBytes(4).toString('hex')}`;
  // the gRPC client turns a failing request stream into a bare cancel: keep the reason
  let failure: unknown;
  async function* requests(): AsyncIterable<WriteInit> {
    try {
      yield { action: WriteAction.STAT, ref, total: BigInt(o.size), expected: o.digest };
      let offset = 0;
      for await (const chunk of rechunk(body, writeChunk)) {
        // a registry sending more than the descriptor says must not fill the disk first
        if (offset + chunk.length > o.size) throw internal(`size mismatch for ${o.digest}: more than ${o.size} bytes`);
        yield { action: WriteAction.WRITE, ref, offset: BigInt(offset), data: chunk };
        offset += chunk.length;
        o.onProgress?.(offset);
      }
      if (offset !== o.size) throw internal(`size mismatch for ${o.digest}: got ${offset} bytes, want ${o.size}`);
      o.onVerified?.();
      yield { action: WriteAction.COMMIT, ref, offset: BigInt(offset), total: BigInt(o.size), expected: o.digest, labels: o.labels };
    } catch (err) {
      failure = err;
      throw err;
    }
  }
  try {
    for await (const _ of ctr.content.write(requests(), { metadata: { 'containerd-lease': o.lease } })) { /* acks */ }
  } catch (err) {
    if (isBerthError(err, 'AlreadyExists')) return;
    await ctr.content.abort({ ref }).catch(() => undefined);
    if (failure !== undefined) throw failure;
    if (isBerthError(err, 'FailedPrecondition') && /unexpected commit digest/.test(err instanceof Error ? err.message : '')) {
      throw internal(`digest mismatch for ${o.digest}: ${err instanceof Error ? err.message : String(err)}`);
    }
    throw err;
  }
}

export interface Spooled {
  digest: string;
  size: number;
  /** The first bytes (for telling a gzip layer from a plain one). */
  head: Buffer;
}

/**
 * Streams a blob whose digest is not known yet (a `docker load` tar entry)
 * into the content store: berthd hashes as the bytes go by and commits with
 * that digest as the expected one, which containerd checks against its own.
 * A blob the store already has is left as it is.
 */
export async function spoolStream(ctr: Containerd, body: AsyncIterable<Uint8Array>, lease: string): Promise<Spooled> {
  const ref = `berthd-load-${randomBytes(8).toString('hex')}`;
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  let failure: unknown;
  let digest = '';
  async function* requests(): AsyncIterable<WriteInit> {
    try {
      yield { action: WriteAction.STAT, ref };
      for await (const chunk of rechunk(body, writeChunk)) {
        if (head.length < 4) head = Buffer.concat([head, chunk.subarray(0, 4 - head.length)]);
        hash.update(chunk);
        yield { action: WriteAction.WRITE, ref, offset: BigInt(size), data: chunk };
        size += chunk.length;
      }
      digest = `sha256:${hash.digest('hex')}`;
      yield { action: WriteAction.COMMIT, ref, offset: BigInt(size), total: BigInt(size), expected: digest };
    } catch (err) {
      failure = err;
      throw err;
    }
  }
  try {
    for await (const _ of ctr.content.write(requests(), { metadata: { 'containerd-lease': lease } })) { /* acks */ }
  } catch (err) {
    if (isBerthError(err, 'AlreadyExists') && digest !== '') return { digest, size, head };
    await ctr.content.abort({ ref }).catch(() => undefined);
    throw failure ?? err;
  }
  return { digest, size, head };
}
