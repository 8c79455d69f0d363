/**
 * Signals to a container's main process (POST /containers/{id}/kill) and
 * stop (POST /stop): the stop signal, then SIGKILL after the timeout. Both
 * count as a manual stop, so restart policies leave the container down.
 */
import { conflict, isBerthError } from '@berth/errors';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import { isRunning } from './model.js';
import { parseSignal } from './signals.js';
import { containerAttributes } from './event-attributes.js';

/** dockerd names the container as the client did, then by ID. */
const notRunning = (c: Container, ref: string) => conflict(`Cannot kill container: ${ref}: Container ${c.id} is not running`);

async function signalTask(e: Engine, c: Container, signal: number): Promise<void> {
  try {
    await e.ctr.tasks.kill({ containerId: c.id, execId: '', signal, all: false });
  } catch (err) {
    // the task exited meanwhile: the exit handler is on its way
    if (!isBerthError(err, 'NotFound')) throw err;
  }
  // a frozen process only dies once thawed
  if (signal === 9 && c.record.state.Status === 'paused') await e.ctr.tasks.resume({ containerId: c.id }).catch(() => undefined);
}

export async function killContainer(e: Engine, c: Container, rawSignal: string, ref = c.id): Promise<void> {
  const signal = parseSignal(rawSignal === '' ? 'SIGKILL' : rawSignal);
  if (!isRunning(c.record.state) || c.record.state.Status === 'restarting') {
    if (c.record.state.Status === 'restarting') {
      c.record.manuallyStopped = true;
      c.stopAsked = true;
      e.store.save(c);
    }
    throw notRunning(c, ref);
  }
  if (signal === 9 || signal === 15 || signal === 2) {
    c.record.manuallyStopped = true;
    c.stopAsked = true;
    e.store.save(c);
  }
  await signalTask(e, c, signal);
  e.events.publish('container', 'kill', c.id, containerAttributes(c.record, { signal: String(signal) }));
}

/** Waits for the container's current run to end, up to `ms` (-1: forever); true if it ended. */
async function waitStopped(c: Container, exit: Promise<unknown>, ms: number): Promise<boolean> {
  if (!isRunning(c.record.state)) return true;
  if (ms < 0) {
    await exit;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = await Promise.race([exit.then(() => true), timeout]);
  clearTimeout(timer);
  return done;
}

/** POST /containers/{id}/stop; false when it was not running (docker's 304). */
export async function stopContainer(e: Engine, c: Container, opts: { signal?: string; timeoutSeconds?: number }): Promise<boolean> {
  const rec = c.record;
  rec.manuallyStopped = true;
  c.stopAsked = true;
  e.store.save(c);
  // waiting for a policy restart: it is off now (under the lock, so a restart in progress finishes first)
  const wasRestarting = await c.serial(async () => {
    if (rec.state.Status !== 'restarting') return false;
    rec.state = { ...rec.state, Status: 'exited' };
    e.store.save(c);
    c.notifyExit({ exitCode: rec.state.ExitCode });
    return true;
  });
  if (wasRestarting) return true;
  if (!isRunning(rec.state)) return false;
  const signal = parseSignal(opts.signal || rec.config.StopSignal || 'SIGTERM');
  const timeout = opts.timeoutSeconds ?? rec.config.StopTimeout ?? 10;
  const exit = c.nextExit();
  if (signal !== 9) {
    // dockerd's stop is a kill with the stop signal, then one with SIGKILL: both are events
    e.events.publish('container', 'kill', c.id, containerAttributes(rec, { signal: String(signal) }));
    await signalTask(e, c, signal);
    if (await waitStopped(c, exit, timeout * 1000)) {
      e.events.publish('container', 'stop', c.id, containerAttributes(c.record));
      return true;
    }
  }
  e.events.publish('container', 'kill', c.id, containerAttributes(rec, { signal: '9' }));
  await signalTask(e, c, 9);
  if (!(await waitStopped(c, exit, 30_000))) throw conflict(`container ${c.id} did not stop after SIGKILL`);
  e.events.publish('container', 'stop', c.id, containerAttributes(c.record));
  return true;
}
