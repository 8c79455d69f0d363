/**
 * Blobs through containerd's Content API: write (one STAT+COMMIT exchange on the
 * bidi Write stream, under a lease), read whole, and the digest helper.
 */
import crypto from 'node:crypto';
import { isBerthError } from '@berth/errors';
import { WriteAction } from '@berth/containerd/gen/containerd/services/content/v1/content_pb';
import type { Containerd } from '../containerd.js';

export const sha256 = (data: Buffer | string): string => `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;

type WriteInit = Parameters<Containerd['content']['write']>[0] extends AsyncIterable<infer T> ? T : never;

const chunk = 1 << 20;

/** Writes `data` as `digest` (skipping it when the namespace already has it). */
export async function writeBlob(
  ctr: Containerd, data: Buffer, digest: string, labels: Record<string, string>, lease: string,
): Promise<void> {
  const ref = `berthd-load-${digest}`;
  async function* requests(): AsyncIterable<WriteInit> {
    yield { action: WriteAction.STAT, ref, total: BigInt(data.length), expected: digest };
    for (let off = 0; off + chunk < data.length; off += chunk) {
      yield { action: WriteAction.WRITE, ref, offset: BigInt(off), data: data.subarray(off, off + chunk) };
    }
    const last = Math.max(0, Math.floor((data.length - 1) / chunk) * chunk);
    yield { action: WriteAction.COMMIT, ref, offset: BigInt(last), data: data.subarray(last), total: BigInt(data.length), expected: digest, labels };
  }
  try {
    for await (const _ of ctr.content.write(requests(), { metadata: { 'containerd-lease': lease } })) { /* acks */ }
  } catch (err) {
    if (isBerthError(err, 'AlreadyExists')) {
      if (Object.keys(labels).length > 0) {
        await ctr.content.update({ info: { digest, labels }, updateMask: { paths: Object.keys(labels).map((k) => `labels.${k}`) } });
      }
      return;
    }
    throw err;
  }
}

export async function readBlob(ctr: Containerd, digest: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const r of ctr.content.read({ digest })) parts.push(Buffer.from(r.data));
  return Buffer.concat(parts);
}
