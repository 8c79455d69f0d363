/**
 * Streams a blob from the network into containerd's content store (the
 * Content Write API: STAT, WRITE per chunk as it arrives, COMMIT with the
 * expected digest, so the store verifies it too), reporting progress as bytes
 * arrive. Each ingest has its own ref, aborted on failure, so a broken pull
 * leaves no half-written blob behind and never blocks the next one.
 */
import crypto, { randomBytes } from 'node:crypto';
import { internal, isBerthError } from '@berth/errors';
import { WriteAction } from '@berth/containerd/gen/containerd/services/content/v1/content_pb';
import type { Containerd } from '../containerd.js';

type WriteInit = Parameters<Containerd['content']['write']>[0] extends AsyncIterable<infer T> ? T : never;

export interface IngestOptions {
  digest: string;
  size: number;
  labels: Record<string, string>;
  lease: string;
  /** Called with the bytes received so far. */
  onProgress?: (current: number) => void;
  /** Called once every byte is in and the digest checks, before the commit. */
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

export async function ingestStream(ctr: Containerd, body: AsyncIterable<Uint8Array>, o: IngestOptions): Promise<void> {
  const ref = `berthd-pull-${o.digest}-${randomBytes(4).toString('hex')}`;
  const hash = crypto.createHash('sha256');
  async function* requests(): AsyncIterable<WriteInit> {
    yield { action: WriteAction.STAT, ref, total: BigInt(o.size), expected: o.digest };
    let offset = 0;
    for await (const chunk of body) {
      hash.update(chunk);
      yield { action: WriteAction.WRITE, ref, offset: BigInt(offset), data: chunk };
      offset += chunk.length;
      o.onProgress?.(offset);
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== o.digest) throw internal(`digest mismatch for ${o.digest}: got ${got}`);
    if (offset !== o.size) throw internal(`size mismatch for ${o.digest}: got ${offset} bytes, want ${o.size}`);
    o.onVerified?.();
    yield { action: WriteAction.COMMIT, ref, offset: BigInt(offset), total: BigInt(o.size), expected: o.digest, labels: o.labels };
  }
  try {
    for await (const _ of ctr.content.write(requests(), { metadata: { 'containerd-lease': o.lease } })) { /* acks */ }
  } catch (err) {
    if (isBerthError(err, 'AlreadyExists')) return;
    await ctr.content.abort({ ref }).catch(() => undefined);
    throw err;
  }
}
