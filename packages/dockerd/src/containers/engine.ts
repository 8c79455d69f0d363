/**
 * What every container operation needs: berth-containerd, the container store,
 * the event bus, berthd's paths and settings, a logger. One object, passed to
 * the verb files (create.ts, start.ts, stop.ts, ...).
 */
import path from 'node:path';
import type { Logger } from '@berth/containerd/log';
import type { Containerd } from '../containerd.js';
import type { EventBus } from '../events/bus.js';
import type { ContainerStore } from './store.js';

export interface ContainerSettings {
  dataRoot: string;
  execRoot: string;
  /** Parent of every container's cgroup (dockerd's --cgroup-parent; "/berth" by default). */
  cgroupParent: string;
  /** The init binary for --init (dockerd's --init-path). */
  initPath: string | undefined;
  /** dockerd's --dns: resolvers for containers that name none (empty: the host's). */
  dns: string[];
}

export interface Engine {
  ctr: Containerd;
  store: ContainerStore;
  events: EventBus;
  settings: ContainerSettings;
  log: Logger;
}

export const snapshotter = 'overlayfs';
export const runtimeName = 'io.containerd.runc.v2';

/** Where the stdio fifos of a container's processes live (docker: /run/docker/containerd/<id>). */
export function fifoDir(e: Engine, id: string): string {
  return path.join(e.settings.execRoot, 'containerd', id);
}

export function cgroupsPathOf(e: Engine, id: string): string {
  return path.posix.join(e.settings.cgroupParent, id);
}
