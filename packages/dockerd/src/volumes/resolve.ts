/**
 * A new container's volume mounts, as moby's registerMountPoints decides them:
 * first what --volumes-from takes from other containers, then the
 * container's own volumes (-v name:/path, --mount type=volume), each
 * replacing an earlier one at the same destination, then an anonymous volume
 * for each Config.Volumes entry (the image's VOLUME and `-v /path`) where
 * nothing else is mounted. Binds and tmpfs of the HostConfig itself stay
 * there (spec/mounts.ts); they only take destinations here.
 *
 * Nothing is created by `plan`; `apply` makes the missing volumes and says
 * which it made, so a failed create can remove exactly those.
 */
import path from 'node:path';
import { invalidArgument, notFound, notImplemented } from '@berth/errors';
import type { ContainerStore } from '../containers/store.js';
import type { ContainerConfig, HostConfig, MountRecord } from '../containers/model.js';
import { isVolumeBind } from '../containers/spec/mounts.js';
import { checkVolumeName } from './names.js';
import type { Volume, VolumeStore } from './store.js';

export interface PlannedMount {
  /** The volume's name; '' for an anonymous one (named at apply). */
  name: string;
  destination: string;
  mode: string;
  rw: boolean;
  /** Copy the image's content at the destination into the volume when it is empty. */
  copy: boolean;
  /** Taken as it is from another container (--volumes-from). */
  inherited?: MountRecord;
}

const volumeModes = new Set(['ro', 'rw', 'nocopy', 'z', 'Z', 'consistent', 'cached', 'delegated']);

function fromVolumeBind(spec: string): PlannedMount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw invalidArgument(`invalid volume specification: '${spec}'`);
  const [name = '', target = '', mode = ''] = parts;
  if (!path.isAbsolute(target)) throw invalidArgument(`invalid volume specification: '${spec}': invalid mount config for type "volume": invalid mount path: '${target}' mount path must be absolute`);
  const opts = mode.split(',').filter(Boolean);
  for (const o of opts) if (!volumeModes.has(o)) throw invalidArgument(`invalid mode: ${o}`);
  checkVolumeName(name);
  return { name, destination: path.normalize(target), mode, rw: !opts.includes('ro'), copy: !opts.includes('nocopy') };
}

interface VolumeOptionsSpec {
  NoCopy?: boolean;
  Subpath?: string;
  DriverConfig?: { Name?: string; Options?: Record<string, string> };
}

function fromMountSpec(m: NonNullable<HostConfig['Mounts']>[number]): PlannedMount {
  const target = m.Target ?? '';
  if (!path.isAbsolute(target)) throw invalidArgument(`invalid mount config for type "volume": invalid mount path: '${target}' mount path must be absolute`);
  const vo = (m.VolumeOptions ?? {}) as VolumeOptionsSpec;
  if (vo.Subpath) throw notImplemented('invalid mount config for type "volume": volume subpaths are not supported by berthd');
  const driver = vo.DriverConfig?.Name;
  if (driver && driver !== 'local') throw notFound(`create ${m.Source ?? ''}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  if (m.Source) checkVolumeName(m.Source);
  // moby sets "z" (SELinux's shared label) on --mount volumes without a mode
  return { name: m.Source ?? '', destination: path.normalize(target), mode: 'z', rw: m.ReadOnly !== true, copy: vo.NoCopy !== true };
}

/** --volumes-from `container[:ro|:rw]`: its volumes and binds, with the access overridden when given. */
function fromContainer(store: ContainerStore, spec: string): PlannedMount[] {
  const [ref = '', mode = ''] = spec.split(':');
  if (mode !== '' && mode !== 'ro' && mode !== 'rw') throw invalidArgument(`invalid mode: ${mode}`);
  const source = store.get(ref).record;
  const own = source.hostConfig.Binds?.filter((b) => !isVolumeBind(b)).map((b): MountRecord => {
    const [src = '', dst = '', opts = ''] = b.split(':');
    const o = opts.split(',');
    return { Type: 'bind', Name: '', Source: path.normalize(src), Destination: path.normalize(dst), Mode: opts, RW: !o.includes('ro'), Propagation: o.find((x) => x.includes('private') || x.includes('shared') || x.includes('slave')) ?? 'rprivate' };
  }) ?? [];
  const binds = (source.hostConfig.Mounts ?? []).filter((m) => m.Type === 'bind').map((m): MountRecord => ({
    Type: 'bind', Name: '', Source: path.normalize(m.Source ?? ''), Destination: path.normalize(m.Target), Mode: '', RW: m.ReadOnly !== true, Propagation: m.BindOptions?.Propagation || 'rprivate',
  }));
  return [...own, ...binds, ...(source.mountPoints ?? [])].map((m) => {
    const rw = mode === '' ? m.RW : mode === 'rw';
    return { name: m.Name, destination: m.Destination, mode: mode || m.Mode, rw, copy: false, inherited: { ...m, RW: rw, Mode: mode || m.Mode } };
  });
}

/** The volume mounts of a container about to be created; throws docker's 400s/404s before anything exists. */
export function planVolumes(store: ContainerStore, config: ContainerConfig, hc: HostConfig): PlannedMount[] {
  const byDest = new Map<string, PlannedMount>();
  for (const spec of (hc.VolumesFrom as string[] | null | undefined) ?? []) {
    for (const m of fromContainer(store, spec)) byDest.set(m.destination, m);
  }
  const own = [...(hc.Binds ?? []).filter(isVolumeBind).map(fromVolumeBind), ...(hc.Mounts ?? []).filter((m) => m.Type === 'volume').map(fromMountSpec)];
  const seen = new Set<string>();
  for (const m of own) {
    if (seen.has(m.destination)) throw invalidArgument(`Duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
    byDest.set(m.destination, m);
  }
  // the HostConfig's own binds and tmpfs win over inherited mounts and image volumes
  const taken = new Set<string>([
    ...(hc.Binds ?? []).filter((b) => !isVolumeBind(b)).map((b) => path.normalize(b.split(':')[1] ?? '')),
    ...(hc.Mounts ?? []).filter((m) => m.Type !== 'volume').map((m) => path.normalize(m.Target ?? '')),
    ...Object.keys(hc.Tmpfs ?? {}).map((t) => path.normalize(t)),
  ]);
  for (const d of taken) {
    if (seen.has(d)) throw invalidArgument(`Duplicate mount point: ${d}`);
    byDest.delete(d);
  }
  for (const dest of Object.keys(config.Volumes ?? {})) {
    const d = path.normalize(dest);
    if (!path.isAbsolute(d)) throw invalidArgument(`invalid mount config for type "volume": invalid mount path: '${dest}' mount path must be absolute`);
    if (!byDest.has(d) && !taken.has(d)) byDest.set(d, { name: '', destination: d, mode: '', rw: true, copy: true });
  }
  return [...byDest.values()];
}

export interface AppliedVolumes {
  mounts: MountRecord[];
  /** Volumes this call made (removed again if the create fails). */
  created: Volume[];
  /** Volume mounts whose volume may get the image's content. */
  copyUp: MountRecord[];
}

export function applyVolumes(volumes: VolumeStore, plan: PlannedMount[]): AppliedVolumes {
  const out: AppliedVolumes = { mounts: [], created: [], copyUp: [] };
  try {
    for (const p of plan) {
      if (p.inherited) {
        out.mounts.push(p.inherited);
        continue;
      }
      const { volume, created } = volumes.create(p.name, null, p.name === '' ? {} : null);
      if (created) out.created.push(volume);
      const m: MountRecord = { Type: 'volume', Name: volume.name, Source: volumes.dataPath(volume.name), Destination: p.destination, Mode: p.mode, RW: p.rw, Propagation: '' };
      out.mounts.push(m);
      if (p.copy && !volume.options) out.copyUp.push(m);
    }
  } catch (err) {
    for (const v of out.created) volumes.remove(v.name);
    throw err;
  }
  return out;
}
