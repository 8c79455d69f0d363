/**
 * The build context: the request body (a tar, plain or gzip, as the CLI
 * sends it) unpacked into a private temp dir, so COPY/ADD can stat, glob and
 * hash it. Entry names are cleaned; one that climbs out with `..` or is
 * absolute is refused; links stay links (COPY copies them as links).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalidArgument } from '@berth/errors';
import * as tarStream from 'tar-stream';

/** The body with a gzip layer removed when it has one (magic 1f 8b). */
async function* plain(body: Readable): AsyncGenerator<Buffer> {
  const it = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const rest = async function* () {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  };
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip();
  const pass = new PassThrough();
  void pipeline(rest(), gunzip, pass).catch((err: unknown) => pass.destroy(err as Error));
  for await (const c of pass as AsyncIterable<Buffer>) yield c;
}

function safeName(name: string): string | undefined {
  const clean = path.posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
  if (clean === '' || clean === '.') return undefined;
  if (name.split('/').includes('..')) throw invalidArgument(`invalid path in the build context: ${name}`);
  return clean;
}

/** Unpacks the context tar into a new temp dir and returns that dir. */
export async function unpackContext(body: Readable): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berthd-build-'));
  const extract = tarStream.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const rel = safeName(h.name);
      const target = rel === undefined ? dir : path.join(dir, rel);
      if (rel !== undefined) await fs.mkdir(path.dirname(target), { recursive: true });
      const mode = (h.mode ?? 0o644) & 0o7777;
      if (h.type === 'directory') {
        await fs.mkdir(target, { recursive: true, mode });
        await fs.chmod(target, mode);
      } else if (h.type === 'symlink') {
        await fs.rm(target, { force: true });
        await fs.symlink(h.linkname ?? '', target);
      } else if (h.type === 'link') {
        const src = safeName(h.linkname ?? '');
        if (src !== undefined) await fs.link(path.join(dir, src), target).catch(() => fs.copyFile(path.join(dir, src), target));
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        await fs.rm(target, { force: true, recursive: true });
        const handle = await fs.open(target, 'w', mode);
        try {
          for await (const c of entry as AsyncIterable<Buffer>) await handle.write(c);
        } finally {
          await handle.close();
        }
        await fs.chmod(target, mode);
      }
      if (rel !== undefined && h.mtime && h.type !== 'symlink') await fs.utimes(target, h.mtime, h.mtime).catch(() => undefined);
      entry.resume();
    }
  })();
  try {
    await Promise.all([pipeline(plain(body), extract), done]);
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw invalidArgument(`failed to read the build context: ${(err as Error).message}`, err);
  }
  return dir;
}
