/**
 * Streaming tar writing on tar-stream's pack, with binary-safe xattrs: when
 * an entry has xattrs, this writes the PAX header itself (SCHILY.xattr.* as
 * raw bytes, and path/linkpath; tar-stream's pack refuses a body for a
 * 'pax-header' entry, so its blocks are pushed as they are) and gives
 * tar-stream a short name, so
 * tar-stream adds no PAX header of its own (a second one would replace
 * ours in readers that do not merge them, Go's archive/tar among them).
 */
import type { Readable } from 'node:stream';
import * as tarStream from 'tar-stream';
import { encodePaxRecords, paxHeaderBlocks, xattrPrefix } from './pax.js';
import type { EntryType } from './tarread.js';

type PackHeader = Partial<tarStream.Header> & Pick<tarStream.Header, 'name'>;

export interface WriteHeader {
  name: string;
  type: EntryType;
  mode: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: Date;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Map<string, Buffer>;
}

export class TarWriter {
  private readonly pack = tarStream.pack();
  private seq = 0;

  /** The tar bytes (read while adding, or the pack stalls on backpressure). */
  get stream(): Readable {
    return this.pack as unknown as Readable;
  }

  private entry(header: PackHeader, body?: Buffer | AsyncIterable<Uint8Array>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body === undefined || Buffer.isBuffer(body)) {
        this.pack.entry(header, body ?? Buffer.alloc(0), done);
        return;
      }
      const sink = this.pack.entry(header, done);
      void (async () => {
        try {
          for await (const chunk of body) {
            if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
          }
          sink.end(undefined);
        } catch (err) {
          sink.destroy(err as Error);
        }
      })();
    });
  }

  /** Adds one entry; `body` for regular files (exactly `size` bytes). */
  async add(h: WriteHeader, body?: Buffer | AsyncIterable<Uint8Array>): Promise<void> {
    const base: PackHeader = {
      name: h.name,
      type: h.type,
      mode: h.mode,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      size: h.type === 'file' ? (h.size ?? (Buffer.isBuffer(body) ? body.length : 0)) : 0,
      mtime: h.mtime ?? new Date(0),
      linkname: h.linkname ?? '',
      devmajor: h.devmajor ?? 0,
      devminor: h.devminor ?? 0,
    };
    if (h.xattrs !== undefined && h.xattrs.size > 0) {
      const records: Array<[string, Buffer]> = [['path', Buffer.from(h.name)]];
      if (h.linkname) records.push(['linkpath', Buffer.from(h.linkname)]);
      for (const [k, v] of [...h.xattrs].sort(([a], [b]) => (a < b ? -1 : 1))) records.push([`${xattrPrefix}${k}`, v]);
      // Between entries (each add awaits the previous one), so raw blocks land in place.
      this.pack.push(paxHeaderBlocks(encodePaxRecords(records), base.mtime ?? new Date(0)));
      const short = `berth-xattr-${this.seq++}`;
      base.name = h.type === 'directory' ? `${short}/` : short;
      if (h.linkname) base.linkname = short;
    }
    await this.entry(base, body);
  }

  finalize(): void {
    this.pack.finalize();
  }
}

/** A whole tar in memory (tests, small layers). */
export async function tarBuffer(entries: Array<{ header: WriteHeader; body?: Buffer }>): Promise<Buffer> {
  const w = new TarWriter();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of w.stream) chunks.push(c as Buffer);
  })();
  for (const e of entries) await w.add(e.header, e.body);
  w.finalize();
  await collected;
  return Buffer.concat(chunks);
}
