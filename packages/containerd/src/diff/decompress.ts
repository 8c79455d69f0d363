/**
 * Decompression by magic bytes (containerd's compression.DecompressStream):
 * gzip (1f 8b), zstd (28 b5 2f fd), else the bytes are taken as a plain tar.
 * bzip2 and xz are recognised only to be refused by name.
 */
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { invalidArgument } from '@berth/errors';

export type Format = 'gzip' | 'zstd' | 'none';

/** Reads until `n` bytes are buffered (or the stream ends), then puts them back. */
export async function peek(input: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const chunk = input.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      have += chunk.length;
      continue;
    }
    if (input.readableEnded || input.destroyed) break;
    const [event] = await Promise.race([once(input, 'readable'), once(input, 'end').then(() => ['end'])]);
    if (event === 'end') break;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) input.unshift(head);
  return head.subarray(0, n);
}

export function detectFormat(head: Buffer): Format {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') {
    throw invalidArgument('unsupported compression format bzip2');
  }
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
    throw invalidArgument('unsupported compression format xz');
  }
  return 'none';
}

/** The decompressed stream of `input` (input itself when it is not compressed). */
export async function decompress(input: Readable): Promise<{ format: Format; stream: Readable }> {
  const format = detectFormat(await peek(input, 6));
  if (format === 'none') return { format, stream: input };
  const z = format === 'gzip' ? zlib.createGunzip() : zlib.createZstdDecompress();
  input.on('error', (err) => z.destroy(err));
  return { format, stream: input.pipe(z) };
}
