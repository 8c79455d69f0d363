/**
 * One process of the task: the init process (execId '') or an exec process.
 * An explicit state object (created, running, paused, stopped, deleted); an
 * operation the state does not allow fails with FailedPrecondition, with
 * containerd's messages (pkg/process/*_state.go) so clients print the same.
 */
import { failedPrecondition, notFound } from '@berth/errors';
import type { ProcessIO } from '../io/process-io.js';

export type ProcessState = 'created' | 'running' | 'paused' | 'stopped' | 'deleted';

export interface Exit {
  status: number;
  at: Date;
}

export interface StdioPaths {
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

export class TaskProcess {
  pid = 0;
  state: ProcessState = 'created';
  exit: Exit | undefined;
  io: ProcessIO | undefined;
  /** Set while Start runs: an exit seen meanwhile is reported after the start event. */
  starting = false;
  private readonly afterStart: (() => void)[] = [];
  private readonly waiters = new Set<(exit: Exit) => void>();

  constructor(
    readonly execId: string,
    readonly stdio: StdioPaths,
  ) {}

  get isInit(): boolean {
    return this.execId === '';
  }

  /** What containerd's error messages call it. */
  private get noun(): string {
    return this.isInit ? 'task' : 'process';
  }

  mustBe(op: string, ...allowed: ProcessState[]): void {
    if (allowed.includes(this.state)) return;
    if (this.state === 'deleted') throw notFound(this.isInit ? 'container not created' : `process ${this.execId} does not exist`);
    throw failedPrecondition(stateMessage(op, this.state, this.noun));
  }

  markExited(exit: Exit): void {
    if (this.exit !== undefined) return; // idempotent: one exit per process
    this.exit = exit;
    if (this.state !== 'deleted') this.state = 'stopped';
    for (const w of this.waiters) w(exit);
    this.waiters.clear();
  }

  /** Resolves with the exit; rejects if signal aborts first (the caller went away). */
  wait(signal?: AbortSignal): Promise<Exit> {
    if (this.exit !== undefined) return Promise.resolve(this.exit);
    return new Promise((resolve, reject) => {
      const done = (exit: Exit) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(exit);
      };
      const onAbort = () => {
        this.waiters.delete(done);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('wait cancelled'));
      };
      this.waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs fn now, or once the running Start has published its event. */
  whenStarted(fn: () => void): void {
    if (this.starting) this.afterStart.push(fn);
    else fn();
  }

  finishStart(): void {
    this.starting = false;
    for (const fn of this.afterStart.splice(0)) fn();
  }
}

function stateMessage(op: string, state: ProcessState, noun: string): string {
  switch (op) {
    case 'start':
      return state === 'running' ? 'cannot start a running process' : `cannot start a ${state} process`;
    case 'delete':
      return `cannot delete a ${state} process`;
    case 'pause':
      if (state === 'created') return `cannot pause ${noun} in created state`;
      return state === 'paused' ? 'cannot pause a paused container' : `cannot pause a ${state} container`;
    case 'resume':
      if (state === 'created') return `cannot resume ${noun} in created state`;
      return state === 'running' ? 'cannot resume a running process' : `cannot resume a ${state} container`;
    case 'update':
      return `cannot update a ${state} container`;
    case 'exec':
      return `cannot exec in a ${state} state`;
    case 'kill':
      return state === 'created' ? 'process not created' : `cannot signal a ${state} process`;
    default:
      return `cannot ${op} a ${state} ${noun}`;
  }
}
