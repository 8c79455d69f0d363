/**
 * /dev for the container: the default device nodes runc creates, the ones the
 * config lists, and the standard symlinks. With a user namespace of its own the
 * container may not mknod, so devices are bind-mounted from the host instead.
 */
import path from 'node:path';
import { invalidArgument } from '@berth/errors';
import type { LinuxDevice, Mount } from '../spec/types.js';
import type { PlanDevice } from '../native/plan-types.js';
import { secureJoin } from './securejoin.js';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/** The nodes every container gets (runc's AllowedDevices that are files, in its order). */
export const defaultDevices: LinuxDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
];

export interface DevicePlan {
  devices: PlanDevice[];
  links: { target: string; path: string }[];
}

/** True when the config bind-mounts the host's /dev: then runc creates nothing in it. */
export function devIsBound(mounts: Mount[] | undefined): boolean {
  return (mounts ?? []).some(
    (m) => path.posix.normalize(m.destination) === '/dev' && (m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind')),
  );
}

export function planDevices(
  configured: LinuxDevice[] | undefined,
  opts: { rootfs: string; mounts: Mount[] | undefined; bindDevices: boolean; hasKcore: boolean },
): DevicePlan {
  if (devIsBound(opts.mounts)) return { devices: [], links: [] };
  // runc's createDevices: the defaults the config does not redefine, then the
  // configured ones in order (a redefined default moves to the end).
  const byPath = new Map<string, { dev: LinuxDevice; field: string }>();
  const configuredPaths = new Set((configured ?? []).map((d) => path.posix.normalize(d.path ?? '')));
  for (const d of defaultDevices) if (!configuredPaths.has(d.path)) byPath.set(d.path, { dev: d, field: 'default device' });
  (configured ?? []).forEach((d, i) => {
    const p = path.posix.normalize(d.path ?? '');
    byPath.delete(p);
    byPath.set(p, { dev: d, field: `linux.devices[${i}]` });
  });

  const devices: PlanDevice[] = [];
  for (const [p, { dev, field }] of byPath) {
    if (!p.startsWith('/dev/')) throw invalidArgument(`${field}.path: device ${p} must be under /dev`);
    let kind: number;
    switch (dev.type) {
      case 'c':
      case 'u':
        kind = S_IFCHR;
        break;
      case 'b':
        kind = S_IFBLK;
        break;
      case 'p':
        kind = S_IFIFO;
        break;
      default:
        throw invalidArgument(`${field}.type: device type "${String(dev.type)}" must be one of c, b, u, p`);
    }
    if (kind !== S_IFIFO && (dev.major === undefined || dev.minor === undefined))
      throw invalidArgument(`${field}: major and minor are required for a ${dev.type} device`);
    devices.push({
      path: secureJoin(opts.rootfs, p),
      hostPath: p,
      mode: kind | ((dev.fileMode ?? 0o666) & 0o7777),
      major: dev.major ?? 0,
      minor: dev.minor ?? 0,
      uid: dev.uid ?? 0,
      gid: dev.gid ?? 0,
      bind: opts.bindDevices,
    });
  }
  const dev = (name: string) => path.join(opts.rootfs, 'dev', name);
  const links = [
    { target: '/proc/self/fd', path: dev('fd') },
    { target: '/proc/self/fd/0', path: dev('stdin') },
    { target: '/proc/self/fd/1', path: dev('stdout') },
    { target: '/proc/self/fd/2', path: dev('stderr') },
    { target: 'pts/ptmx', path: dev('ptmx') },
  ];
  if (opts.hasKcore) links.push({ target: '/proc/kcore', path: dev('core') });
  return { devices, links };
}
