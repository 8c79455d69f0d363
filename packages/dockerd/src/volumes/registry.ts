/**
 * Each engine's volume store, made once per engine (at start-up, when the
 * router is built, after the containers were restored), so the container
 * verbs can reach it without a field of their own on Engine.
 *
 * containerMountsOf finds the volume mounts resolved at create for the
 * container whose HostConfig start.ts hands to spec/mounts.ts's userMounts:
 * that call passes the record's own HostConfig object, so identity finds the
 * record without changing the start path's signature.
 */
import path from 'node:path';
import type { Engine } from '../containers/engine.js';
import type { HostConfig, MountRecord } from '../containers/model.js';
import { VolumeStore } from './store.js';

const stores = new Map<Engine, VolumeStore>();

export function volumeStore(e: Engine): VolumeStore {
  let s = stores.get(e);
  if (!s) {
    s = new VolumeStore(path.join(e.settings.dataRoot, 'volumes'), e.log);
    stores.set(e, s);
  }
  return s;
}

export interface ContainerMounts {
  engine: Engine;
  mounts: MountRecord[];
  /** A volume's local-driver options (type/device/o), null for a plain directory. */
  options: (name: string) => Record<string, string> | null;
}

export function containerMountsOf(hc: HostConfig): ContainerMounts | undefined {
  for (const [engine, store] of stores) {
    for (const c of engine.store.list()) {
      if (c.record.hostConfig === hc) return { engine, mounts: c.record.mountPoints ?? [], options: (name) => store.find(name)?.options ?? null };
    }
  }
  return undefined;
}
