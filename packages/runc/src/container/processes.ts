/** `ps`: the pids in the container's cgroup. */
import { failedPrecondition } from '@berth/errors';
import type { RuntimeContext } from './context.js';
import { containerStatus } from './status.js';
import { cgroupManagerFromPaths } from '../cgroups/manager.js';

export function containerPids(ctx: RuntimeContext, id: string): number[] {
  const record = ctx.store.read(id);
  if (containerStatus(record, ctx.store.dir(id)) === 'stopped') throw failedPrecondition('container not running');
  return cgroupManagerFromPaths(record.cgroupPaths).pids();
}
