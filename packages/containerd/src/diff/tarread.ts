/**
 * Streaming tar reading on tar-stream (see the package README for why),
 * plus raw PAX xattrs: tar-stream hands PAX values out as UTF-8 strings, so
 * this subclass also keeps each PAX header's SCHILY.xattr.* records as bytes
 * and attaches them to the entry they precede. It hooks tar-stream's
 * _decodeLongHeader; the guard below fails loudly if a tar-stream release
 * renames it, and tarread.test.ts checks a binary xattr survives.
 */
import type { Readable } from 'node:stream';
import * as tarStream from 'tar-stream';
import { paxXattrs } from './pax.js';

export type EntryType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'character-device'
  | 'block-device'
  | 'directory'
  | 'fifo'
  | 'contiguous-file';

export interface TarHeader {
  name: string;
  type: EntryType | string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, Buffer>;
}

/** An entry's data (a streamx Readable); must be read to the end or resumed before the next entry. */
export interface EntryBody extends AsyncIterable<Buffer> {
  resume(): unknown;
}

export interface TarEntry {
  header: TarHeader;
  body: EntryBody;
  /** Why the archive failed, once it has (a body read then fails only with "Stream was destroyed"). */
  failure(): Error | undefined;
}

interface Internals {
  _decodeLongHeader(buf: Buffer): void;
  _header: { type?: string | null; xattrs?: Map<string, Buffer> } | null;
}

type ExtractCtor = new () => tarStream.Extract;
const probe = tarStream.extract() as unknown as Internals & { constructor: ExtractCtor };
const Base = probe.constructor;
if (typeof (Base.prototype as Internals)._decodeLongHeader !== 'function') {
  throw new Error('tar-stream internals changed: _decodeLongHeader is gone (PAX xattrs cannot be read as bytes)');
}

class XattrExtract extends (Base as unknown as new () => Internals) {
  private pending: Map<string, Buffer> | undefined;
  private global = new Map<string, Buffer>();

  override _decodeLongHeader(buf: Buffer): void {
    const type = this._header?.type;
    if (type === 'pax-header') this.pending = new Map([...this.global, ...paxXattrs(buf)]);
    else if (type === 'pax-global-header') this.global = paxXattrs(buf);
    super._decodeLongHeader(buf);
  }

  /** The xattrs for the entry just emitted (consumed once). */
  takeXattrs(): Map<string, Buffer> {
    const x = this.pending ?? new Map(this.global);
    this.pending = undefined;
    return x;
  }
}

/** The entries of a tar stream, in order. Errors of the input stream end the iteration. */
export async function* readTar(input: Readable): AsyncGenerator<TarEntry> {
  const extract = new XattrExtract() as unknown as tarStream.Extract & XattrExtract;
  if (input.errored) throw input.errored;
  let failure: Error | undefined;
  extract.on('error', (err: Error) => (failure ??= err));
  input.on('error', (err) => {
    failure ??= err;
    extract.destroy(err);
  });
  input.pipe(extract);
  for await (const entry of extract) {
    const h = entry.header;
    yield {
      header: {
        name: h.name,
        type: h.type ?? 'file',
        mode: (h.mode ?? 0o644) & 0o7777,
        uid: h.uid ?? 0,
        gid: h.gid ?? 0,
        size: h.size ?? 0,
        mtime: h.mtime ?? new Date(0),
        linkname: h.linkname ?? '',
        devmajor: h.devmajor ?? 0,
        devminor: h.devminor ?? 0,
        xattrs: extract.takeXattrs(),
      },
      body: entry as unknown as EntryBody,
      failure: () => failure,
    };
  }
}
