/**
 * What happens when a container's main process exits (reported by containerd's
 * /tasks/exit event, or found at start-up): its output is read to the end, the
 * task and containerd record are deleted, the state becomes exited with the
 * code, waiters and attached clients are told, then the restart policy or
 * --rm applies. Idempotent: a second report of the same exit changes nothing.
 */
import { removeTaskAndRecord } from './cleanup.js';
import type { Container } from './container.js';
import { fifoDir, type Engine } from './engine.js';
import { fifoPaths, removeFifos } from './fifos.js';
import { disconnectInitIO } from './io.js';
import { isRunning } from './model.js';
import { nowRfc3339Nano, parseRfc3339Nano } from '../logs/time.js';
import { removeContainer } from './remove.js';
import { restartDelay, shouldRestart } from './restart-policy.js';
import { startTask } from './start.js';
import { containerAttributes } from './event-attributes.js';
import { leaveNetwork } from '../network/container.js';
import { stopHealth } from './health.js';

const drainTimeoutMs = 2_000;

export function handleInitExit(e: Engine, c: Container, reported: number | undefined): Promise<void> {
  return c.serial(async () => {
    const rec = c.record;
    if (rec.state.Status !== 'running' && rec.state.Status !== 'paused') return;
    await Promise.race([c.outputDone, new Promise((r) => setTimeout(r, drainTimeoutMs))]);
    stopHealth(c.id);
    const deleted = await removeTaskAndRecord(e, c.id, true);
    const exitCode = deleted?.exitStatus ?? reported ?? 255;
    removeFifos(fifoPaths(fifoDir(e, c.id), 'init', true, false));
    disconnectInitIO(c);
    // the run's namespace, veth, address and published ports go with it (docker frees them at exit too)
    await leaveNetwork(c.id).catch((err: unknown) => e.log.warn('leaving the network', { id: c.id, error: (err as Error).message }));
    const ranFor = Number((parseRfc3339Nano(nowRfc3339Nano()) - parseRfc3339Nano(rec.state.StartedAt)) / 1_000_000n);
    rec.state = { ...rec.state, Status: 'exited', Pid: 0, ExitCode: exitCode, OOMKilled: c.oomKilled, FinishedAt: nowRfc3339Nano() };
    const restart = shouldRestart(rec, exitCode);
    if (restart) rec.state.Status = 'restarting';
    e.store.save(c);
    if (c.oomKilled) e.events.publish('container', 'oom', c.id, containerAttributes(c.record));
    e.events.publish('container', 'die', c.id, containerAttributes(c.record, { exitCode: String(exitCode) }));
    c.notifyExit({ exitCode });
    if (restart) scheduleRestart(e, c, restartDelay(c.id, ranFor));
    else if (rec.hostConfig.AutoRemove) await removeContainer(e, c, { force: false, removeVolumes: true, locked: true }).catch((err: unknown) => e.log.warn('auto-remove', { id: c.id, error: (err as Error).message }));
  });
}

function scheduleRestart(e: Engine, c: Container, delayMs: number): void {
  setTimeout(() => {
    void c.serial(async () => {
      if (c.record.state.Status !== 'restarting' || c.record.manuallyStopped) return;
      c.record.restartCount++;
      try {
        await startTask(e, c);
        e.events.publish('container', 'restart', c.id, containerAttributes(c.record));
      } catch (err) {
        e.log.warn('restart failed', { id: c.id, error: (err as Error).message });
        if (!isRunning(c.record.state)) c.notifyExit({ exitCode: c.record.state.ExitCode });
      }
    });
  }, delayMs).unref();
}
