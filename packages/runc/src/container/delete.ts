/**
 * `delete`: removes a stopped container (cgroups, state, poststop hooks). A
 * created container is killed first, as runc does; a running or paused one only
 * with `force`, which kills everything in its cgroup and waits for it to go.
 */
import fs from 'node:fs';
import { failedPrecondition, isBerthError } from '@berth/errors';
import type { RuntimeContext } from './context.js';
import { containerStatus } from './status.js';
import { cgroupManagerFromPaths } from '../cgroups/manager.js';
import { isAlive } from '../state/proc.js';
import { runHooks } from './hooks.js';
import { hookState } from './oci-state.js';
import { sleepMs } from '../util/sleep.js';


export function deleteContainer(ctx: RuntimeContext, id: string, force = false): void {
  let record;
  try {
    record = ctx.store.read(id);
  } catch (err) {
    // A state dir without readable state (a create that crashed half-way, a
    // corrupt file) must still go away with --force, so callers can clean up.
    if (force && !isBerthError(err, 'NotFound') && fs.existsSync(ctx.store.dir(id))) {
      ctx.log.warn(`removing container ${id} with unreadable state: ${(err as Error).message}`);
      ctx.store.remove(id);
      return;
    }
    throw err;
  }
  const status = containerStatus(record, ctx.store.dir(id));
  if ((status === 'running' || status === 'paused') && !force)
    throw failedPrecondition(`cannot delete container ${id} that is not stopped: ${status}`);
  const cgroups = cgroupManagerFromPaths(record.cgroupPaths);
  if (status !== 'stopped') {
    // SIGKILL reaches a frozen process only once it is thawed: signalAll thaws.
    cgroups.signalAll('SIGKILL');
    try {
      process.kill(record.initPid, 'SIGKILL');
    } catch {
      // already gone
    }
    for (let i = 0; i < 1000 && isAlive(record.initPid, record.initStartTime); i++) sleepMs(i < 50 ? 1 : 10);
  }
  try {
    if (cgroups.exists()) cgroups.signalAll('SIGKILL');
  } catch (err) {
    ctx.log.warn(`killing remaining processes of ${id}: ${(err as Error).message}`);
  }
  cgroups.destroy();
  ctx.store.remove(id);
  try {
    runHooks('poststop', record.config.hooks?.poststop, hookState(record, 'stopped'));
  } catch (err) {
    // The container is gone either way; runc only warns about poststop failures.
    ctx.log.warn((err as Error).message);
  }
}
