/**
 * The user's mounts: -v/Binds ("/host:/ctr[:ro,...]"), --mount (Mounts of type
 * bind and tmpfs) and --tmpfs, as OCI mounts with docker's options (rbind +
 * rprivate for binds; nosuid,nodev,noexec for tmpfs) and docker's 400s.
 * A missing host path is created for -v (legacy docker behaviour) and refused
 * for --mount. Volumes (named, anonymous, --volumes-from) were resolved at
 * create (volumes/resolve.ts) and kept in the record's mountPoints; they are
 * added here as binds of their _data directories (or their own mount, for a
 * local volume with type/device options).
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '@berth/errors';
import type { HostConfig, MountRecord, MountSpec } from '../model.js';
import { containerMountsOf } from '../../volumes/registry.js';
import { volumeOciMount } from '../../volumes/oci.js';
import type { Mount } from './oci.js';

const propagations = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

/** What docker shows under .Mounts in inspect. */
export interface MountPoint {
  Type: 'bind' | 'tmpfs' | 'volume';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

export interface UserMounts {
  oci: Mount[];
  points: MountPoint[];
}

function checkTarget(kind: string, target: string): string {
  if (!path.isAbsolute(target)) throw invalidArgument(`invalid mount config for type "${kind}": invalid mount path: '${target}' mount path must be absolute`);
  return path.normalize(target);
}

function bindMount(source: string, target: string, readOnly: boolean, propagation: string, mode: string): { oci: Mount; point: MountPoint } {
  return {
    oci: { destination: target, type: 'bind', source, options: ['rbind', propagation, ...(readOnly ? ['ro'] : [])] },
    point: { Type: 'bind', Source: source, Destination: target, Mode: mode, RW: !readOnly, Propagation: propagation },
  };
}

/** A -v entry with a volume name as its source, not a host path: resolved at create. */
export const isVolumeBind = (spec: string): boolean => !spec.startsWith('/');

function fromBind(spec: string): { oci: Mount; point: MountPoint } {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw invalidArgument(`invalid volume specification: '${spec}'`);
  const [source = '', target = '', opts = ''] = parts;
  if (!path.isAbsolute(target)) throw invalidArgument(`invalid volume specification: '${spec}': invalid mount config for type "bind": invalid mount path: '${target}' mount path must be absolute`);
  let readOnly = false;
  let propagation = 'rprivate';
  for (const o of opts.split(',').filter(Boolean)) {
    if (o === 'ro') readOnly = true;
    else if (o === 'rw') readOnly = false;
    else if (propagations.has(o)) propagation = o;
    else if (o !== 'z' && o !== 'Z' && o !== 'nocopy' && o !== 'consistent' && o !== 'cached' && o !== 'delegated') throw invalidArgument(`invalid mode: ${o}`);
  }
  // docker -v creates a missing host directory
  fs.mkdirSync(source, { recursive: true });
  return bindMount(path.normalize(source), path.normalize(target), readOnly, propagation, opts);
}

function tmpfsOptions(opts: string[]): string[] {
  return ['noexec', 'nosuid', 'nodev', ...opts.filter(Boolean)];
}

function fromMount(m: MountSpec): { oci: Mount; point: MountPoint } {
  const target = checkTarget(m.Type, m.Target ?? '');
  if (m.Type === 'bind') {
    const source = m.Source ?? '';
    if (!path.isAbsolute(source)) throw invalidArgument(`invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`);
    if (!fs.existsSync(source)) {
      if (!m.BindOptions?.CreateMountpoint) throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
      fs.mkdirSync(source, { recursive: true });
    }
    const propagation = m.BindOptions?.Propagation || 'rprivate';
    if (!propagations.has(propagation)) throw invalidArgument(`invalid mount config for type "bind": invalid propagation mode: ${propagation}`);
    const b = bindMount(path.normalize(source), target, m.ReadOnly === true, propagation, '');
    if (m.BindOptions?.NonRecursive) b.oci.options = (b.oci.options ?? []).map((o) => (o === 'rbind' ? 'bind' : o));
    return b;
  }
  if (m.Type === 'tmpfs') {
    if (m.Source) throw invalidArgument(`invalid mount config for type "tmpfs": source must not be specified`);
    const opts: string[] = [];
    if (m.TmpfsOptions?.SizeBytes) opts.push(`size=${m.TmpfsOptions.SizeBytes}`);
    if (m.TmpfsOptions?.Mode) opts.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
    if (m.ReadOnly) opts.push('ro');
    return {
      oci: { destination: target, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(opts) },
      point: { Type: 'tmpfs', Source: '', Destination: target, Mode: '', RW: m.ReadOnly !== true, Propagation: '' },
    };
  }
  throw invalidArgument(`invalid mount config for type "${String(m.Type)}": mount type unknown`);
}

function fromRecord(m: MountRecord, volumeOptions: (name: string) => Record<string, string> | null): { oci: Mount; point: MountPoint } {
  if (m.Type === 'bind') return bindMount(m.Source, m.Destination, !m.RW, m.Propagation || 'rprivate', m.Mode);
  return {
    oci: volumeOciMount(m, volumeOptions(m.Name)),
    point: { Type: 'volume', Name: m.Name, Source: m.Source, Destination: m.Destination, Driver: 'local', Mode: m.Mode, RW: m.RW, Propagation: '' },
  };
}

/**
 * The container's mounts. `resolved` is the record's mountPoints; without it
 * (start.ts passes only the HostConfig) they are found from the record that
 * owns `hc`.
 */
export function userMounts(hc: HostConfig, resolved?: MountRecord[], volumeOptions: (name: string) => Record<string, string> | null = () => null): UserMounts {
  let records = resolved;
  let options = volumeOptions;
  if (records === undefined) {
    const owner = containerMountsOf(hc);
    records = owner?.mounts ?? [];
    if (owner) options = owner.options;
  }
  const all: { oci: Mount; point: MountPoint | undefined }[] = [
    ...(hc.Binds ?? []).filter((b) => !isVolumeBind(b)).map(fromBind),
    ...(hc.Mounts ?? []).filter((m) => m.Type !== 'volume').map(fromMount),
    ...records.map((m) => fromRecord(m, options)),
  ];
  for (const [target, opts] of Object.entries(hc.Tmpfs ?? {})) {
    const t = checkTarget('tmpfs', target);
    // --tmpfs mounts are not mount points in dockerd's view (inspect .Mounts leaves them out)
    all.push({
      oci: { destination: t, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(opts.split(',')) },
      point: undefined,
    });
  }
  const seen = new Set<string>();
  for (const m of all) {
    if (seen.has(m.oci.destination)) throw invalidArgument(`Duplicate mount point: ${m.oci.destination}`);
    seen.add(m.oci.destination);
  }
  return { oci: all.map((m) => m.oci), points: all.flatMap((m) => (m.point ? [m.point] : [])) };
}
