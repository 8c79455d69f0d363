/**
 * DELETE /containers/{id}: a running container only with force (SIGKILL, then
 * its exit is handled as usual), then the containerd leftovers, the snapshot
 * and its lease, the record and directory; with `v` (and for --rm) its
 * anonymous volumes no other container uses. Waiters for "removed" are told.
 */
import fs from 'node:fs';
import { conflict } from '@berth/errors';
import { killLeftoverTask, removeTaskAndRecord } from './cleanup.js';
import type { Container } from './container.js';
import { leaseOf } from './create.js';
import { fifoDir, snapshotter, type Engine } from './engine.js';
import { stopContainer } from './kill.js';
import { isRunning } from './model.js';
import { forgetBackoff } from './restart-policy.js';
import { removeAnonymousVolumes } from '../volumes/service.js';
import { containerAttributes } from './event-attributes.js';
import { leaveNetwork } from '../network/container.js';
import { stopHealth } from './health.js';

export interface RemoveOptions {
  force: boolean;
  removeVolumes: boolean;
  /** The caller already holds the container's lock (the exit handler's --rm). */
  locked?: boolean;
}

export async function removeContainer(e: Engine, c: Container, opts: RemoveOptions): Promise<void> {
  if (!opts.locked && isRunning(c.record.state)) {
    if (!opts.force) {
      throw conflict(`cannot remove container "${c.record.name}": container is running: stop the container before removing or force remove`);
    }
    await stopContainer(e, c, { signal: 'SIGKILL' });
  }
  const body = async () => {
    const rec = c.record;
    // removed meanwhile (its own --rm, when a forced removal killed it): done
    if (!e.store.find(c.id)) return;
    if (rec.state.Status === 'removing') throw conflict(`removal of container ${c.id} is already in progress`);
    if (isRunning(rec.state) && rec.state.Status !== 'restarting') throw conflict(`cannot remove container "${rec.name}": container is running: stop the container before removing or force remove`);
    rec.manuallyStopped = true;
    c.stopAsked = true;
    rec.state = { ...rec.state, Status: 'removing' };
    stopHealth(c.id);
    await killLeftoverTask(e, c.id);
    await removeTaskAndRecord(e, c.id, false);
    await leaveNetwork(c.id).catch((err: unknown) => e.log.warn('leaving the network', { id: c.id, error: (err as Error).message }));
    await e.ctr.snapshots.remove({ snapshotter, key: c.id }).catch((err: unknown) => e.log.warn('snapshot remove', { id: c.id, error: (err as Error).message }));
    await e.ctr.leases.delete({ id: leaseOf(c.id), sync: false }).catch(() => undefined);
    fs.rmSync(fifoDir(e, c.id), { recursive: true, force: true });
    e.store.delete(c);
    forgetBackoff(c.id);
    e.events.publish('container', 'destroy', c.id, containerAttributes(c.record));
    if (opts.removeVolumes) removeAnonymousVolumes(e, rec);
    c.notifyRemoved();
  };
  return opts.locked ? body() : c.serial(body);
}
