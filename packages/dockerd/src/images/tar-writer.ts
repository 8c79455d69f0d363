/**
 * A streaming ustar writer for `docker save`: a header per entry (names up to
 * 100 bytes, which blobs/sha256/<hex> fits), the data, padding to 512, and the
 * two zero blocks at the end. Sizes are known up front (blob sizes come from
 * the content store), so file data streams straight through.
 */
import type { Writable } from 'node:stream';

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

export function tarHeader(name: string, size: number, type: 'file' | 'dir', mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(type === 'dir' ? 0o755 : 0o644, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(type === 'dir' ? 0 : size, 12), 124);
  h.write(octal(Math.floor(mtime), 12), 136);
  h.write('        ', 148);
  h.write(type === 'dir' ? '5' : '0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** Writes to a Node stream, waiting for 'drain' so a slow client throttles the reads. */
export class TarWriter {
  constructor(private readonly out: Writable, private readonly mtime = 0) {}

  private async write(b: Buffer | Uint8Array): Promise<void> {
    if (!this.out.write(b)) await new Promise<void>((r) => this.out.once('drain', r));
  }

  async dir(name: string): Promise<void> {
    await this.write(tarHeader(name.endsWith('/') ? name : `${name}/`, 0, 'dir', this.mtime));
  }

  async file(name: string, data: Buffer): Promise<void> {
    await this.stream(name, data.length, (async function* () { yield data; })());
  }

  /** An entry of `size` bytes from `chunks`; fails when they do not add up. */
  async stream(name: string, size: number, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    await this.write(tarHeader(name, size, 'file', this.mtime));
    let n = 0;
    for await (const c of chunks) {
      n += c.length;
      await this.write(c);
    }
    if (n !== size) throw new Error(`${name}: wrote ${n} bytes, expected ${size}`);
    const pad = (512 - (size % 512)) % 512;
    if (pad) await this.write(Buffer.alloc(pad));
  }

  async end(): Promise<void> {
    await this.write(Buffer.alloc(1024));
  }
}
