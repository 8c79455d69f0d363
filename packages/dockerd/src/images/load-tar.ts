/**
 * Reads a `docker load` body as a stream, never holding it whole: the
 * archive's few metadata files (manifest.json, index.json, oci-layout,
 * repositories) are kept in memory, every other regular file goes straight
 * into the content store as it streams by (a docker save tar may list
 * manifest.json anywhere, often last, so no entry can wait for it) and is
 * remembered by its path. Symlinks and hard links between entries (legacy
 * docker save links a layer shared by two images) resolve to the entry they
 * name. A gzipped body is decompressed first, as moby's loader does.
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalidArgument, isBerthError } from '@berth/errors';
import * as tarStream from 'tar-stream';
import type { Containerd } from '../containerd.js';
import { spoolStream, type Spooled } from './ingest.js';

/** Top-level files read in memory rather than stored as blobs. */
const metaFiles = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories']);
/** A manifest.json larger than this is no docker save archive's. */
const maxMeta = 16 << 20;

export interface SpooledTar {
  meta: Map<string, Buffer>;
  /** The blob stored for an entry path (links followed); undefined when the tar has none. */
  blob(name: string): Spooled | undefined;
}

const clean = (name: string): string => path.posix.normalize(name.replace(/^\/+/, '')).replace(/^(\.\/)+/, '').replace(/\/+$/, '');

/**
 * The body as a stream, and whether it starts with gzip's magic bytes. The
 * request is never destroyed on a failure (the error response still has to go
 * out on its socket): what is left of it is discarded once the response ends.
 */
async function source(body: Readable): Promise<{ stream: Readable; gzip: boolean }> {
  const it = body.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  async function* all(): AsyncIterable<Buffer> {
    if (first.done !== true) yield first.value;
    for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
  }
  const head = first.done === true ? Buffer.alloc(0) : first.value;
  return { stream: Readable.from(all(), { objectMode: false }), gzip: head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b };
}

async function readSmall(entry: AsyncIterable<Buffer>, name: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of entry) {
    n += c.length;
    if (n > maxMeta) throw invalidArgument(`invalid tar: ${name} is too large`);
    parts.push(c);
  }
  return Buffer.concat(parts);
}

/** tar-stream's and zlib's complaints about the body are the client's fault (400), as before. */
function formatError(err: unknown): unknown {
  if (isBerthError(err) || !(err instanceof Error)) return err;
  if (/unexpected end of (data|file)/i.test(err.message)) return invalidArgument('unexpected EOF in the image tar', err);
  if (/invalid tar header|incorrect header check|invalid (block type|distance|stored block)/i.test(err.message)) return invalidArgument(`invalid tar: ${err.message}`, err);
  return err;
}

export async function spoolTar(ctr: Containerd, body: Readable, lease: string): Promise<SpooledTar> {
  const meta = new Map<string, Buffer>();
  const blobs = new Map<string, Spooled>();
  const links = new Map<string, string>();
  const { stream, gzip } = await source(body);
  const extract = tarStream.extract();
  const sink = extract as unknown as NodeJS.WritableStream;
  const feeding = gzip ? pipeline(stream, createGunzip(), sink) : pipeline(stream, sink);
  // a failed feed surfaces through the entry loop; this keeps it from being unhandled meanwhile
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const name = clean(h.name);
      if (h.type === 'file' || h.type === 'contiguous-file') {
        if (metaFiles.has(name)) meta.set(name, await readSmall(entry as AsyncIterable<Buffer>, name));
        else blobs.set(name, await spoolStream(ctr, entry as AsyncIterable<Buffer>, lease));
      } else {
        if ((h.type === 'symlink' || h.type === 'link') && h.linkname) {
          // a symlink is relative to its directory, a hard link to the archive's root
          const target = h.type === 'symlink' ? path.posix.join(path.posix.dirname(name), h.linkname) : h.linkname;
          links.set(name, clean(target));
        }
        entry.resume();
      }
    }
    await feeding;
  } catch (err) {
    stream.destroy();
    extract.destroy();
    throw formatError(err);
  }
  return {
    meta,
    blob(name) {
      let n = clean(name);
      for (let hops = 0; hops < 16; hops++) {
        const b = blobs.get(n);
        if (b) return b;
        const next = links.get(n);
        if (next === undefined) return undefined;
        n = next;
      }
      return undefined;
    },
  };
}
