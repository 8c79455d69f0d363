/** Removing what a run left in containerd: the task (if any) and the containerd container record. */
import { isBerthError } from '@berth/errors';
import type { Engine } from './engine.js';

/** A task that should not exist any more (a forced removal racing a restart): killed, then deleted once stopped. */
export async function killLeftoverTask(e: Engine, id: string): Promise<void> {
  try {
    await e.ctr.tasks.kill({ containerId: id, execId: '', signal: 9, all: true });
  } catch (err) {
    if (isBerthError(err, 'NotFound')) return;
  }
  for (let i = 0; i < 50; i++) {
    try {
      await e.ctr.tasks.delete({ containerId: id });
      return;
    } catch (err) {
      if (isBerthError(err, 'NotFound')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function removeTaskAndRecord(e: Engine, id: string, task: boolean): Promise<{ exitStatus: number } | undefined> {
  let exit: { exitStatus: number } | undefined;
  if (task) {
    try {
      const r = await e.ctr.tasks.delete({ containerId: id });
      exit = { exitStatus: r.exitStatus };
    } catch (err) {
      if (!isBerthError(err, 'NotFound')) e.log.warn('task delete', { id, error: (err as Error).message });
    }
  }
  await e.ctr.containers.delete({ id }).catch((err: unknown) => {
    if (!isBerthError(err, 'NotFound')) e.log.warn('containerd container delete', { id, error: (err as Error).message });
  });
  return exit;
}
