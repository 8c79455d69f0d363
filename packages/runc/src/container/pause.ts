/** `pause` and `resume`: freeze and thaw the container's cgroup. */
import { failedPrecondition } from '@berth/errors';
import type { RuntimeContext } from './context.js';
import { containerStatus } from './status.js';
import { cgroupManagerFromPaths } from '../cgroups/manager.js';

export function pauseContainer(ctx: RuntimeContext, id: string): void {
  const record = ctx.store.read(id);
  const status = containerStatus(record, ctx.store.dir(id));
  if (status !== 'running' && status !== 'created') throw failedPrecondition('container not running');
  cgroupManagerFromPaths(record.cgroupPaths).freeze();
}

export function resumeContainer(ctx: RuntimeContext, id: string): void {
  const record = ctx.store.read(id);
  const status = containerStatus(record, ctx.store.dir(id));
  if (status !== 'paused') throw failedPrecondition('container not paused');
  cgroupManagerFromPaths(record.cgroupPaths).thaw();
}
