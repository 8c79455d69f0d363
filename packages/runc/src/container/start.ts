/**
 * `start`: releases an init blocked on the exec fifo. The fifo is opened
 * non-blocking and polled so that a dead init (nobody will ever write) is
 * noticed instead of hanging, as runc's awaitFifoOpen does.
 */
import fs from 'node:fs';
import { failedPrecondition, internal } from '@berth/errors';
import type { RuntimeContext } from './context.js';
import { containerStatus } from './status.js';
import { isAlive } from '../state/proc.js';
import { runHooks } from './hooks.js';
import { hookState } from './oci-state.js';
import { sleepMs } from '../util/sleep.js';


export function startContainer(ctx: RuntimeContext, id: string): void {
  const record = ctx.store.read(id);
  const status = containerStatus(record, ctx.store.dir(id));
  if (status === 'stopped') throw failedPrecondition('cannot start a container that has stopped');
  if (status === 'running' || status === 'paused') throw failedPrecondition('cannot start an already running container');
  if (status !== 'created') throw failedPrecondition(`cannot start a container in the ${status} state`);
  const fifo = ctx.store.fifoPath(id);
  const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(1);
    for (let waited = 0; ; waited++) {
      if (readByte(fd, buf) === 1) break;
      if (!isAlive(record.initPid, record.initStartTime)) {
        // A short-lived process may have written, exec'd and exited between our
        // read and the check: the byte it wrote is still in the fifo, and this
        // read takes it, so it counts as the go-ahead. Only an empty fifo means
        // init died before writing.
        if (readByte(fd, buf) === 1) break;
        // A failed startContainer hook ends init here; it said why on the container's stderr.
        const hint = record.config.hooks?.startContainer?.length ? ' (a startContainer hook failed: see the container\'s stderr)' : '';
        throw internal(`container init exited before it could be started${hint}`);
      }
      sleepMs(waited < 100 ? 1 : 10);
    }
    // init keeps its end open until execve closes it (close-on-exec): end of
    // file means the container's process now runs, so poststart hooks come
    // after it as the spec orders.
    for (let waited = 0; ; waited++) {
      if (readByte(fd, buf) === 0 || !isAlive(record.initPid, record.initStartTime)) break;
      sleepMs(waited < 100 ? 1 : 10);
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(fifo, { force: true });
  try {
    runHooks('poststart', record.config.hooks?.poststart, hookState(record, 'running', record.initPid));
  } catch (err) {
    // A failed poststart hook stops the container (runc 1.1 does the same).
    try {
      process.kill(record.initPid, 'SIGKILL');
    } catch {
      // gone already
    }
    throw err;
  }
}

/** One non-blocking read of the fifo: 1 (the byte), 0 (end of file) or -1 (nothing yet). */
function readByte(fd: number, buf: Buffer): number {
  try {
    return fs.readSync(fd, buf, 0, 1, null);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    return -1;
  }
}
