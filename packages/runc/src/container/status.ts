/** The dynamic status of a container, derived from its init and its cgroup. */
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerRecord } from '../state/store.js';
import { isAlive } from '../state/proc.js';
import { cgroupManagerFromPaths } from '../cgroups/manager.js';

export type ContainerStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export function containerStatus(record: ContainerRecord, stateDir: string): ContainerStatus {
  if (!record.createdDone) return record.initPid > 0 && isAlive(record.initPid, record.initStartTime) ? 'creating' : 'stopped';
  if (!isAlive(record.initPid, record.initStartTime)) return 'stopped';
  if (fs.existsSync(path.join(stateDir, 'exec.fifo'))) return 'created';
  try {
    if (cgroupManagerFromPaths(record.cgroupPaths).isFrozen()) return 'paused';
  } catch {
    // no freezer: cannot be paused
  }
  return 'running';
}
