/**
 * Extracts a client's tar into a directory of a container root (PUT
 * /containers/{id}/archive), as moby's archive.Untar does, without ever
 * writing outside the root:
 * - entry names are cleaned; one that climbs out of the extraction dir with
 *   `..` fails the request (moby's breakout error),
 * - each entry's parent directory is resolved inside the container root
 *   (rootfs-path.ts: symlinks followed as the container would, never to the
 *   host), the last component is never followed (an existing one is replaced),
 * - hard link targets must resolve inside the root too,
 * - noOverwriteDirNonDir refuses to replace a directory with a non-directory
 *   and the reverse; otherwise what is in the way is removed.
 * Owner, mode and mtime come from the headers (directories' mtimes last).
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { invalidArgument } from '@berth/errors';
import * as tarStream from 'tar-stream';
import { cleanAbs, resolveInRoot } from './rootfs-path.js';

const run = promisify(execFile);

export interface ExtractOptions {
  /** The container root on the host. */
  root: string;
  /** The extraction directory, as an absolute path in the container with every link evaluated. */
  dir: string;
  noOverwriteDirNonDir: boolean;
}

async function lstatOrNull(p: string) {
  try {
    return await fs.lstat(p);
  } catch {
    return null;
  }
}

async function makeNode(h: tarStream.Header, target: string, body: Readable): Promise<void> {
  const mode = (h.mode ?? 0o644) & 0o7777;
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
    case undefined: {
      const handle = await fs.open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) await handle.write(chunk);
      } finally {
        await handle.close();
      }
      return;
    }
    case 'directory':
      await fs.mkdir(target, { mode });
      return;
    case 'symlink':
      await fs.symlink(h.linkname ?? '', target);
      return;
    case 'character-device':
    case 'block-device':
      await run('mknod', ['-m', mode.toString(8), target, h.type === 'block-device' ? 'b' : 'c', String(h.devmajor ?? 0), String(h.devminor ?? 0)]);
      return;
    case 'fifo':
      await run('mkfifo', ['-m', mode.toString(8), target]);
      return;
    default:
      throw invalidArgument(`unhandled tar header type ${String(h.type)} for ${h.name}`);
  }
}

export async function extractTar(input: Readable, o: ExtractOptions): Promise<void> {
  const extract = tarStream.extract();
  const dirTimes: Array<[string, Date]> = [];
  const feeding = pipeline(input, extract as unknown as NodeJS.WritableStream);
  feeding.catch(() => undefined); // a failed entry destroys the extractor; the error that matters is thrown below
  for await (const entry of extract) {
    const h = entry.header;
    const body = entry as unknown as Readable;
    // a name that climbs out of the extraction dir is refused, as moby's Untar does (breakout)
    const norm = path.posix.normalize(`./${h.name}`);
    const rel = norm === '.' || norm === './' ? '' : norm.replace(/\/$/, '');
    if (rel === '..' || rel.startsWith('../')) throw invalidArgument(`invalid tar entry: "${h.name}" is outside of "${o.dir}"`);
    const inRoot = path.posix.join(o.dir, rel);
    if (rel === '') {
      body.resume(); // "." itself: the extraction dir exists already
      continue;
    }
    const parent = resolveInRoot(o.root, path.posix.dirname(inRoot));
    await fs.mkdir(parent.host, { recursive: true, mode: 0o755 });
    const target = path.join(parent.host, path.posix.basename(inRoot));
    const existing = await lstatOrNull(target);
    const isDir = h.type === 'directory';
    if (existing) {
      if (o.noOverwriteDirNonDir && existing.isDirectory() && !isDir) throw invalidArgument(`cannot overwrite directory "${inRoot}" with non-directory "${h.name}"`);
      if (o.noOverwriteDirNonDir && !existing.isDirectory() && isDir) throw invalidArgument(`cannot overwrite non-directory "${inRoot}" with directory "${h.name}"`);
      if (!(existing.isDirectory() && isDir)) await fs.rm(target, { recursive: true, force: true });
    }
    if (h.type === 'link') {
      const src = resolveInRoot(o.root, path.posix.join(o.dir, cleanAbs(h.linkname ?? '').slice(1)));
      const st = await lstatOrNull(src.host);
      if (!st || st.isDirectory()) throw invalidArgument(`invalid hardlink ${h.name} -> ${h.linkname ?? ''}`);
      await fs.link(src.host, target);
      body.resume();
    } else if (!(existing?.isDirectory() && isDir)) {
      await makeNode(h, target, body);
    } else {
      body.resume();
    }
    if (h.type === 'link') continue;
    await fs.lchown(target, h.uid ?? 0, h.gid ?? 0);
    const mtime = h.mtime ?? new Date();
    if (h.type === 'symlink') {
      await fs.lutimes(target, mtime, mtime).catch(() => undefined);
      continue;
    }
    await fs.chmod(target, (h.mode ?? 0o644) & 0o7777);
    if (isDir) dirTimes.push([target, mtime]);
    else await fs.utimes(target, mtime, mtime);
  }
  await feeding;
  for (const [dir, t] of dirTimes.reverse()) await fs.utimes(dir, t, t).catch(() => undefined);
}
