/**
 * One container's live side: its record, a lock that serialises operations on
 * it (start, stop, remove... never interleave), the clients attached to its
 * output, its stdin, and the waiters for its next exit and its removal.
 */
import type { Writable } from 'node:stream';
import type { JsonFileWriter } from '../logs/json-file-writer.js';
import type { ContainerRecord } from './model.js';

export type StreamKind = 'stdin' | 'stdout' | 'stderr';

/** Someone reading the container's output: an attach connection, the log driver. */
export interface OutputListener {
  data(kind: 'stdout' | 'stderr', chunk: Buffer): void;
  /** The output of the current run ended (the process exited and its streams drained). */
  end(): void;
}

export interface ExitInfo {
  exitCode: number;
  error?: string;
}

export class Container {
  private lock: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<OutputListener>();
  private exitWaiters: ((e: ExitInfo) => void)[] = [];
  private removeWaiters: (() => void)[] = [];
  /** The current run's stdin (the fifo's write end), while the task runs with OpenStdin. */
  stdin: Writable | undefined;
  /** Stdin written by an attached client before the task started (docker run attaches first). */
  private pendingStdin: Buffer[] = [];
  private pendingStdinEnd = false;
  /** Called to close the task's stdin (CloseIO) when an attached client's stdin ends and StdinOnce is set. */
  closeStdin: (() => void) | undefined;
  /** The json-file writer of the current run (followers of `logs -f` listen to it). */
  logWriter: JsonFileWriter | undefined;
  /** Resolves when the current run's output has been read to its end. */
  outputDone: Promise<void> = Promise.resolve();
  /** A stop, kill or removal was asked of this berthd: restarts by policy at daemon start leave the container down. */
  stopAsked = false;
  /** Set when containerd reported an OOM kill during the current run. */
  oomKilled = false;
  /** Exec IDs started in this container and not yet removed. */
  readonly execIds = new Set<string>();

  constructor(public record: ContainerRecord) {}

  get id(): string {
    return this.record.id;
  }

  /** Runs `fn` when every earlier operation on this container has finished. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  listen(l: OutputListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  emitData(kind: 'stdout' | 'stderr', chunk: Buffer): void {
    for (const l of this.listeners) l.data(kind, chunk);
  }

  emitEnd(): void {
    for (const l of [...this.listeners]) l.end();
  }

  /** Stdin from an attached client: to the running task, or held until it starts. */
  writeStdin(chunk: Buffer): void {
    if (this.stdin) this.stdin.write(chunk);
    else this.pendingStdin.push(chunk);
  }

  endStdin(): void {
    if (this.stdin) {
      this.stdin.end();
      this.closeStdin?.();
    } else {
      this.pendingStdinEnd = true;
    }
  }

  /** The task started with `stdin` as its input: deliver what clients sent before. */
  connectStdin(stdin: Writable | undefined, close: () => void): void {
    this.stdin = stdin;
    this.closeStdin = close;
    if (!stdin) return;
    for (const chunk of this.pendingStdin) stdin.write(chunk);
    this.pendingStdin = [];
    if (this.pendingStdinEnd) {
      this.pendingStdinEnd = false;
      this.endStdin();
    }
  }

  nextExit(): Promise<ExitInfo> {
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  notifyExit(e: ExitInfo): void {
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const w of waiters) w(e);
  }

  removed(): Promise<void> {
    return new Promise((resolve) => this.removeWaiters.push(resolve));
  }

  notifyRemoved(): void {
    const waiters = this.removeWaiters;
    this.removeWaiters = [];
    for (const w of waiters) w();
  }
}
