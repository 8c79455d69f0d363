/**
 * Follows containerd's task events for berthd's namespace: /tasks/exit ends a
 * container's run (or an exec), /tasks/oom marks it OOM-killed. The
 * subscription is re-made whenever it drops (containerd restarting); each time
 * it is (re)made, the running containers are checked against containerd so an
 * exit that happened while nobody listened is not missed.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { TaskExitSchema, TaskOOMSchema } from '@berth/containerd/gen/containerd/events/task_pb';
import type { Engine } from './engine.js';
import { handleInitExit } from './exit.js';
import { isRunning } from './model.js';

export type ExecExitHandler = (containerId: string, execId: string, exitCode: number) => void;

export interface Monitor {
  stop(): void;
}

/** Asks containerd about every container berthd believes is running; handles the ones whose task is gone or stopped. */
export async function reconcile(e: Engine): Promise<void> {
  for (const c of e.store.list()) {
    if (!isRunning(c.record.state) || c.record.state.Status === 'restarting') continue;
    try {
      const { process } = await e.ctr.tasks.get({ containerId: c.id, execId: '' });
      // 3 = STOPPED in containerd's task Status enum
      if (process && process.status === 3) await handleInitExit(e, c, process.exitStatus);
    } catch (err) {
      e.log.warn('container task is gone', { id: c.id, error: (err as Error).message });
      await handleInitExit(e, c, 255);
    }
  }
}

export function startMonitor(e: Engine, onExecExit: ExecExitHandler, onSubscribed: () => Promise<void>): Monitor {
  const abort = new AbortController();
  const loop = async () => {
    let delay = 100;
    while (!abort.signal.aborted) {
      try {
        const stream = e.ctr.events.subscribe({ filters: [`namespace==${e.ctr.namespace}`] }, { signal: abort.signal });
        let first = true;
        const ready = onSubscribed().catch((err: unknown) => e.log.warn('reconcile failed', { error: (err as Error).message }));
        for await (const env of stream) {
          if (first) { delay = 100; first = false; }
          const any = env.event;
          if (!any) continue;
          if (env.topic === '/tasks/exit') {
            const ev = fromBinary(TaskExitSchema, any.value);
            const c = e.store.find(ev.containerId);
            if (!c) continue;
            if (ev.id === '' || ev.id === ev.containerId) void handleInitExit(e, c, ev.exitStatus);
            else onExecExit(ev.containerId, ev.id, ev.exitStatus);
          } else if (env.topic === '/tasks/oom') {
            const ev = fromBinary(TaskOOMSchema, any.value);
            const c = e.store.find(ev.containerId);
            if (c) c.oomKilled = true;
          }
        }
        await ready;
      } catch (err) {
        if (abort.signal.aborted) return;
        e.log.warn('containerd event stream ended; resubscribing', { error: (err as Error).message });
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  };
  void loop();
  return { stop: () => abort.abort() };
}
