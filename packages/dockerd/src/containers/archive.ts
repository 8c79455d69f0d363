/**
 * /containers/{id}/archive (docker cp): stat a path (HEAD), read it as a tar
 * (GET), extract a tar into a directory (PUT). Paths are resolved as moby's
 * Container.ResolvePath does, inside the container root (rootfs-path.ts): the
 * directory part with every link followed in the container's scope, the last
 * element as it is, so a symlink there is reported and archived as a link.
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { invalidArgument, notFound } from '@berth/errors';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import { withContainerRoot } from './rootfs-access.js';
import { cleanAbs, endsWithDot, resolveInRoot, resolveParentInRoot } from './rootfs-path.js';
import { extractTar } from './tar-extract.js';
import { TreePacker } from './tar-pack.js';

/** docker's ContainerPathStat; mode is a Go os.FileMode. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Go's os.FileMode bits (type bits high, permissions low). */
const goMode = {
  dir: 2 ** 31, symlink: 2 ** 27, device: 2 ** 26, namedPipe: 2 ** 25, socket: 2 ** 24,
  setuid: 2 ** 23, setgid: 2 ** 22, charDevice: 2 ** 21, sticky: 2 ** 20,
};

export function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.isDirectory()) m += goMode.dir;
  else if (st.isSymbolicLink()) m += goMode.symlink;
  else if (st.isCharacterDevice()) m += goMode.device + goMode.charDevice;
  else if (st.isBlockDevice()) m += goMode.device;
  else if (st.isFIFO()) m += goMode.namedPipe;
  else if (st.isSocket()) m += goMode.socket;
  if (st.mode & 0o4000) m += goMode.setuid;
  if (st.mode & 0o2000) m += goMode.setgid;
  if (st.mode & 0o1000) m += goMode.sticky;
  return m;
}

/** The header value: base64 of the stat's JSON. */
export const statHeader = (s: PathStat): string => Buffer.from(JSON.stringify(s)).toString('base64');

/** lstat, except for the root itself, which may be the /proc/<pid>/root link. */
const lstatIn = (root: string, host: string) => (host === root ? fs.stat(host) : fs.lstat(host));

const missing = (p: string, ref: string) => notFound(`Could not find the file ${p} in container ${ref}`);

async function statIn(root: string, requested: string, ref: string) {
  const r = resolveParentInRoot(root, requested);
  let st: Stats;
  try {
    st = await lstatIn(root, r.host);
  } catch {
    throw missing(requested, ref);
  }
  const linkTarget = st.isSymbolicLink() ? resolveInRoot(root, cleanAbs(requested)).inRoot : '';
  const stat: PathStat = { name: r.base, size: st.size, mode: goFileMode(st), mtime: st.mtime.toISOString(), linkTarget };
  return { r, st, stat };
}

const checkPath = (p: string) => {
  if (p === '') throw invalidArgument('Path cannot be empty');
};

export function statContainerPath(e: Engine, c: Container, requested: string, ref: string): Promise<PathStat> {
  checkPath(requested);
  return withContainerRoot(e, c, async (root) => (await statIn(root, requested, ref)).stat);
}

/**
 * GET: `begin` gets the stat before the first tar byte (it sends the
 * headers), then the tar streams into `out`, rooted at the requested base
 * name (`etc/...`) or at `./` for `dir/.`.
 */
export function archiveContainerPath(
  e: Engine, c: Container, requested: string, ref: string, out: Writable, begin: (s: PathStat) => void,
): Promise<void> {
  checkPath(requested);
  return withContainerRoot(e, c, async (root) => {
    const { r, st, stat } = await statIn(root, requested, ref);
    begin(stat);
    const name = st.isDirectory() && (endsWithDot(requested) || r.base === '/') ? '.' : r.base;
    const packer = new TreePacker(out);
    await packer.add(r.host, name, r.host === root);
    await packer.finish();
  });
}

export interface PutOptions {
  noOverwriteDirNonDir: boolean;
}

/** PUT: the tar on `input` extracted into the directory `requested` (links in it followed in the container). */
export function extractToContainer(e: Engine, c: Container, requested: string, ref: string, input: Readable, o: PutOptions): Promise<void> {
  checkPath(requested);
  return withContainerRoot(e, c, async (root) => {
    const dir = resolveInRoot(root, cleanAbs(requested));
    let st: Stats;
    try {
      st = await lstatIn(root, dir.host);
    } catch {
      throw missing(requested, ref);
    }
    if (!st.isDirectory()) throw invalidArgument('extraction point is not a directory');
    if (c.record.hostConfig.ReadonlyRootfs) throw invalidArgument('container rootfs is marked read-only');
    await extractTar(input, { root, dir: dir.inRoot, noOverwriteDirNonDir: o.noOverwriteDirNonDir });
  });
}
