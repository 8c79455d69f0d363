/** `update`: new cgroup limits for a live container, remembered in its state. */
import { failedPrecondition } from '@berth/errors';
import type { LinuxResources } from '../spec/types.js';
import type { RuntimeContext } from './context.js';
import { containerStatus } from './status.js';
import { cgroupManagerFromPaths } from '../cgroups/manager.js';

/** Merges `patch` into `base` one level deep (memory, cpu, pids, blockIO...). */
export function mergeResources(base: LinuxResources, patch: LinuxResources): LinuxResources {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' ? { ...(prev as object), ...v } : v;
  }
  return out as LinuxResources;
}

export function updateContainer(ctx: RuntimeContext, id: string, patch: LinuxResources): void {
  const record = ctx.store.read(id);
  if (containerStatus(record, ctx.store.dir(id)) === 'stopped') throw failedPrecondition('container not running');
  const resources = mergeResources(record.config.linux?.resources ?? {}, patch);
  const { warnings } = cgroupManagerFromPaths(record.cgroupPaths).set(patch);
  for (const w of warnings) ctx.log.warn(w);
  record.config.linux = { ...(record.config.linux ?? {}), resources };
  ctx.store.write(record);
}
