/** `kill`: a signal to init, or with `all` to every process in the container's cgroup. */
import { failedPrecondition, internal } from '@berth/errors';
import type { RuntimeContext } from './context.js';
import { containerStatus } from './status.js';
import { cgroupManagerFromPaths } from '../cgroups/manager.js';

export function killContainer(ctx: RuntimeContext, id: string, signal: number, all = false): void {
  const record = ctx.store.read(id);
  const status = containerStatus(record, ctx.store.dir(id));
  if (status === 'stopped' && !all) throw failedPrecondition('container not running');
  if (all) {
    cgroupManagerFromPaths(record.cgroupPaths).signalAll(signal);
    return;
  }
  try {
    process.kill(record.initPid, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw failedPrecondition('container not running');
    if (code === 'EINVAL' || code === 'ERR_UNKNOWN_SIGNAL') throw internal('unable to signal init: invalid argument');
    throw internal(`unable to signal init: ${(err as Error).message}`);
  }
}
