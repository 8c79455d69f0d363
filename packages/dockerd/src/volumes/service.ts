/**
 * The volume verbs with their events: create, remove (409 while any
 * container, in any state, uses it), prune, and the anonymous volumes of a
 * removed container (rm -v, --rm). Event attributes are moby's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { conflict, invalidArgument, isBerthError, notFound } from '@berth/errors';
import type { Engine } from '../containers/engine.js';
import type { ContainerRecord } from '../containers/model.js';
import { labelsMatch, type Filters } from './filters.js';
import { volumeStore } from './registry.js';
import type { Volume } from './store.js';
import { usedVolumes, volumeUsers } from './usage.js';

export interface CreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export function createVolume(e: Engine, req: CreateRequest): Volume {
  const name = req.Name ?? '';
  const driver = req.Driver || 'local';
  if (driver !== 'local') throw notFound(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  const { volume, created } = volumeStore(e).create(name, req.DriverOpts ?? null, req.Labels ?? null);
  if (created) e.events.publish('volume', 'create', volume.name, { driver: volume.driver });
  return volume;
}

/** Volumes made for a new container: announced once the container exists (a failed create removes them unannounced). */
export function announceCreated(e: Engine, volumes: Volume[]): void {
  for (const v of volumes) e.events.publish('volume', 'create', v.name, { driver: v.driver });
}

function destroy(e: Engine, v: Volume): void {
  volumeStore(e).remove(v.name);
  e.events.publish('volume', 'destroy', v.name, { driver: v.driver });
}

export function removeVolume(e: Engine, name: string, force: boolean): void {
  const store = volumeStore(e);
  const v = store.find(name);
  if (!v) {
    if (force) return;
    throw notFound(`get ${name}: no such volume`);
  }
  const users = [...volumeUsers(e, name), ...store.claimants(name)];
  if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
  destroy(e, v);
}

/** rm -v and --rm: the container's anonymous volumes that no other container uses; named ones stay. */
export function removeAnonymousVolumes(e: Engine, rec: ContainerRecord): void {
  const store = volumeStore(e);
  const used = usedVolumes(e);
  for (const m of rec.mountPoints ?? []) {
    if (m.Type !== 'volume') continue;
    const v = store.find(m.Name);
    if (!v || !store.isAnonymous(v) || (used.get(m.Name) ?? 0) > 0 || store.claimants(m.Name).length > 0) continue;
    try {
      destroy(e, v);
    } catch (err) {
      if (!isBerthError(err, 'NotFound')) e.log.warn('removing an anonymous volume', { name: m.Name, error: (err as Error).message });
    }
  }
}

/** Bytes under a directory, every file counted once (hard links) and never following links. */
export function diskSize(dir: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (st.isDirectory()) {
      for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    } else total += st.size;
  };
  walk(dir);
  return total;
}

/** POST /volumes/prune: unused anonymous volumes (all unused ones with all=true), narrowed by label filters. */
export function pruneVolumes(e: Engine, f: Filters): { VolumesDeleted: string[] | null; SpaceReclaimed: number } {
  const all = f.get('all') ?? [];
  for (const a of all) if (!['true', 'false', '1', '0'].includes(a)) throw invalidArgument(`invalid filter 'all=${a}'`);
  const everything = all.some((a) => a === 'true' || a === '1');
  const store = volumeStore(e);
  const used = usedVolumes(e);
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const v of store.list()) {
    if ((used.get(v.name) ?? 0) > 0 || store.claimants(v.name).length > 0) continue;
    if (!everything && !store.isAnonymous(v)) continue;
    if (!labelsMatch(v.labels, f.get('label') ?? [], false) || !labelsMatch(v.labels, f.get('label!') ?? [], true)) continue;
    const size = diskSize(store.dataPath(v.name));
    destroy(e, v);
    deleted.push(v.name);
    reclaimed += size;
  }
  e.events.publish('volume', 'prune', '', { reclaimed: String(reclaimed) });
  return { VolumesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
}
