/**
 * `berth cp` both ways, over the archive endpoints: GET
 * /containers/{id}/archive?path= gives a tar of the source (extracted here
 * by the system's tar, renamed to the destination's name when that does not
 * exist yet), and PUT .../archive?path=<dir> takes a tar of a local path
 * (entry renamed when the destination is a new name in an existing dir).
 * `-` means a tar on stdin/stdout, as docker's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ApiClient } from '../client/api.js';
import { openStream } from '../client/stream.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';
import { apiOf, enc, isNotFound } from './container-common.js';

/** CONTAINER:PATH, unless the part before ':' looks like a local path. */
function splitArg(arg: string): { container?: string; path: string } {
  if (path.isAbsolute(arg) || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  return i <= 0 ? { path: arg } : { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** A tar --transform expression renaming the top entry `from` (and what is below it) to `to`. */
const rename = (from: string, to: string): string =>
  `--transform=s,^${from.replace(/[\\,.*[\]^$]/g, (c) => `\\${c}`)},${to.replace(/[\\,&]/g, (c) => `\\${c}`)},`;

function tarProcess(args: string[], stdio: 'in' | 'out'): ReturnType<typeof spawn> {
  return spawn('tar', args, { stdio: stdio === 'in' ? ['pipe', 'ignore', 'inherit'] : ['ignore', 'pipe', 'inherit'] });
}

const finished = (p: ReturnType<typeof spawn>): Promise<void> =>
  new Promise((resolve, reject) => p.on('close', (code) => (code === 0 ? resolve() : reject(new ExitError(`tar exited with status ${String(code)}`, 1)))));

async function fromContainer(api: ApiClient, container: string, src: string, dest: string): Promise<void> {
  const res = await openStream(api, `/containers/${enc(container)}/archive?path=${enc(src)}`);
  if (dest === '-') {
    await new Promise<void>((resolve, reject) => {
      res.pipe(process.stdout, { end: false });
      res.on('end', resolve);
      res.on('error', reject);
    });
    return;
  }
  const stat = JSON.parse(Buffer.from(String(res.headers['x-docker-container-path-stat'] ?? ''), 'base64').toString('utf8') || '{}') as { name?: string };
  const srcName = stat.name ?? path.basename(src);
  let dir = dest;
  const args = ['-x', '--no-same-owner'];
  const destExists = fs.existsSync(dest);
  if (!destExists || !fs.statSync(dest).isDirectory()) {
    const parent = path.dirname(path.resolve(dest));
    if (!fs.existsSync(parent)) throw new ExitError(`invalid output path: directory "${parent}" does not exist`, 1);
    if (dest.endsWith('/') && !destExists) throw new ExitError(`invalid output path: directory "${path.resolve(dest)}" does not exist`, 1);
    dir = parent;
    args.push(rename(srcName, path.basename(dest)));
  }
  const tar = tarProcess([...args, '-C', dir, '-f', '-'], 'in');
  res.pipe(tar.stdin as NodeJS.WritableStream);
  await finished(tar);
}

async function toContainer(api: ApiClient, container: string, src: string, dest: string): Promise<void> {
  let dir = dest;
  let newName: string | undefined;
  try {
    const head = await openStream(api, `/containers/${enc(container)}/archive?path=${enc(dest)}`, { method: 'HEAD' });
    head.resume();
    const stat = JSON.parse(Buffer.from(String(head.headers['x-docker-container-path-stat'] ?? ''), 'base64').toString('utf8') || '{}') as { mode?: number };
    const isDir = ((stat.mode ?? 0) & 0x80000000) !== 0;
    if (!isDir) {
      dir = path.posix.dirname(dest);
      newName = path.posix.basename(dest);
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
    // a new name in an existing directory
    dir = path.posix.dirname(dest);
    newName = path.posix.basename(dest);
  }
  let body: NodeJS.ReadableStream;
  let tarDone: Promise<void> | undefined;
  if (src === '-') {
    body = process.stdin;
  } else {
    if (!fs.existsSync(src)) throw new ExitError(`lstat ${path.resolve(src)}: no such file or directory`, 1);
    const base = path.basename(path.resolve(src));
    const args = ['-c', '-C', path.dirname(path.resolve(src))];
    if (newName) args.push(rename(base, newName));
    const tar = tarProcess([...args, base], 'out');
    // listen now: a small tar is done before the daemon answers
    tarDone = finished(tar);
    body = tar.stdout as NodeJS.ReadableStream;
  }
  const res = await openStream(api, `/containers/${enc(container)}/archive?path=${enc(dir)}&noOverwriteDirNonDir=true`, { method: 'PUT', raw: body });
  res.resume();
  await new Promise<void>((resolve) => res.on('end', resolve));
  await tarDone;
}

async function runCp(from: string, to: string, _o: unknown, self: Command): Promise<void> {
  const a = splitArg(from);
  const b = splitArg(to);
  if (a.container && b.container) throw new ExitError('copying between containers is not supported', 1);
  if (!a.container && !b.container) throw new ExitError('must specify at least one container source', 1);
  const api = apiOf(self);
  if (a.container) await fromContainer(api, a.container, a.path, b.path);
  else await toContainer(api, b.container as string, a.path, b.path);
}

export function cpOn(parent: Command): Command {
  const cmd = parent
    .command('cp')
    .description('Copy files/folders between a container and the local filesystem')
    .argument('<src>')
    .argument('<dest>')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached')
    .action(runCp);
  return describeCommand(cmd, { usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH', aliases: ['berth container cp', 'berth cp'] });
}
