/**
 * The shim's one reaper. As a child subreaper the shim inherits every orphaned
 * descendant (a container init once the runc binary that created it exits,
 * processes of a container sharing the host pid namespace), so it reaps with
 * waitpid(-1, WNOHANG) on every SIGCHLD and hands each exit to whoever watches
 * that pid; unwatched exits are kept for a while in case the watch comes later
 * (a process that exits before its pid is registered).
 *
 * Why not waitpid(pid) per process on worker threads: a waitpid(-1) loop and
 * per-pid waits would race for the same children. Why this does not steal
 * Node's own children: the reaper runs on the main thread, and the shim runs
 * other programs (mount, a runtime binary) only synchronously (execFileSync),
 * which reaps its child before the main thread can run the reaper again. So:
 * never use the asynchronous child_process API inside the shim daemon.
 */
import type { WaitResult } from '@berth/runc';
import type { Logger } from './log.js';

/** waitpid(-1, WNOHANG): a reaped child, or null when none is ready (or none exists). */
export type ReapOne = () => WaitResult | null;

export type ExitHandler = (result: WaitResult) => void;

const UNCLAIMED_LIMIT = 256;
/**
 * An unwatched exit is only waited for between a launch and its watch (the same
 * tick in-process, a runtime binary's exit with one): after this it is an
 * orphan's, and must not be handed to a new process that reuses the pid.
 */
const UNCLAIMED_TTL_MS = 10_000;

export class Reaper {
  private readonly watchers = new Map<number, ExitHandler>();
  private readonly unclaimed = new Map<number, { result: WaitResult; at: number }>();
  private readonly onSignal = () => this.reap();

  constructor(
    private readonly reapOne: ReapOne,
    private readonly log: Logger,
  ) {}

  start(): void {
    process.on('SIGCHLD', this.onSignal);
    this.reap();
  }

  stop(): void {
    process.off('SIGCHLD', this.onSignal);
  }

  /** Calls handler once with pid's exit, even if it was reaped before this call. */
  watch(pid: number, handler: ExitHandler): void {
    const early = this.unclaimed.get(pid);
    this.unclaimed.delete(pid);
    if (early !== undefined && Date.now() - early.at < UNCLAIMED_TTL_MS) {
      handler(early.result);
      return;
    }
    this.watchers.set(pid, handler);
  }

  unwatch(pid: number): void {
    this.watchers.delete(pid);
  }

  /** Reaps every child that has exited; also called directly when an exit is known to be pending. */
  reap(): void {
    for (;;) {
      let result: WaitResult | null;
      try {
        result = this.reapOne();
      } catch (err) {
        this.log.error('waitpid failed', { error: err });
        return;
      }
      if (result === null) return;
      this.dispatch(result);
    }
  }

  private dispatch(result: WaitResult): void {
    const handler = this.watchers.get(result.pid);
    if (handler === undefined) {
      this.log.debug('reaped an unwatched process', { pid: result.pid, status: result.status });
      this.unclaimed.delete(result.pid); // re-inserted last: the map stays oldest first
      this.unclaimed.set(result.pid, { result, at: Date.now() });
      // oldest first: Map keeps insertion order
      if (this.unclaimed.size > UNCLAIMED_LIMIT) this.unclaimed.delete(this.unclaimed.keys().next().value as number);
      return;
    }
    this.watchers.delete(result.pid);
    try {
      handler(result);
    } catch (err) {
      this.log.error('exit handler failed', { pid: result.pid, error: err });
    }
  }
}

/** The real reapOne over the native core: ECHILD (no children at all) is "nothing to reap". */
export function nativeReapOne(waitpid: (pid: number, nohang: boolean) => WaitResult): ReapOne {
  return () => {
    try {
      const r = waitpid(-1, true);
      return r.pid > 0 ? r : null;
    } catch (err) {
      if ((err as { errno?: number }).errno === 10 /* ECHILD */) return null;
      throw err;
    }
  };
}

/** containerd's exit status convention: the exit code, or 128 + the signal that killed it. */
export function exitStatusOf(result: WaitResult): number {
  if (result.exitCode !== undefined) return result.exitCode;
  if (result.signal !== undefined) return 128 + result.signal;
  return 255;
}
