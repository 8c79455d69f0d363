/**
 * berthd starting over containers that kept running (live restore): each
 * record is loaded; a container whose task still runs gets its stdio fifos
 * reopened (the shim kept what was written meanwhile, so the log loses
 * nothing); one whose task ended is handled as an exit (monitor.reconcile);
 * containers with a restart policy that were down are started, as docker
 * does on daemon start.
 */
import type { Container } from './container.js';
import { fifoDir, type Engine } from './engine.js';
import { fifoPaths } from './fifos.js';
import { connectInitIO } from './io.js';
import { startTask } from './start.js';

const taskRunning = 2;
const taskPaused = 4;
const taskPausing = 5;

async function reattach(e: Engine, c: Container): Promise<void> {
  const rec = c.record;
  try {
    const { process } = await e.ctr.tasks.get({ containerId: c.id, execId: '' });
    if (!process || (process.status !== taskRunning && process.status !== taskPaused && process.status !== taskPausing)) return;
    const fifos = fifoPaths(fifoDir(e, c.id), 'init', rec.config.OpenStdin, rec.config.Tty);
    connectInitIO(c, fifos, () => void e.ctr.tasks.closeIO({ containerId: c.id, execId: '', stdin: true }).catch(() => undefined));
    rec.state = { ...rec.state, Status: process.status === taskRunning ? 'running' : 'paused', Pid: process.pid };
    e.store.save(c);
    e.log.info('restored running container', { id: c.id, pid: process.pid });
  } catch (err) {
    e.log.info('container task not found on restore', { id: c.id, error: (err as Error).message });
  }
}

export async function restoreContainers(e: Engine): Promise<void> {
  const all = e.store.load();
  for (const c of all) {
    const s = c.record.state.Status;
    if (s === 'running' || s === 'paused') await reattach(e, c);
    if (s === 'removing') c.record.state = { ...c.record.state, Status: 'dead' };
    // a policy restart that was waiting when berthd died: do it now
    if (s === 'restarting') {
      c.record.state = { ...c.record.state, Status: 'exited' };
      pendingRestarts.add(c.id);
    }
  }
}

const pendingRestarts = new Set<string>();

/** After reconcile: restart-policy containers that are down come back up. */
export async function startPolicyContainers(e: Engine): Promise<void> {
  for (const c of e.store.list()) {
    const rec = c.record;
    const p = rec.hostConfig.RestartPolicy.Name;
    // 'restarting' ones are already on their way back (the exit handler scheduled it)
    const down = rec.state.Status === 'exited' || (rec.state.Status === 'created' && rec.hasBeenStarted);
    if (!down) continue;
    if (p === 'always' || (p === 'unless-stopped' && !rec.manuallyStopped) || (pendingRestarts.delete(c.id) && !rec.manuallyStopped)) {
      // under the container's lock, and not if a client stopped or removed it since berthd started
      await c.serial(async () => {
        const s = c.record.state.Status;
        if (c.stopAsked || !e.store.find(c.id) || (s !== 'exited' && s !== 'created')) return;
        await startTask(e, c);
      }).catch((err: unknown) => e.log.warn('restart on daemon start failed', { id: c.id, error: (err as Error).message }));
    }
  }
}
