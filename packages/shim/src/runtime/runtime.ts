/**
 * What the shim asks of an OCI runtime. Two implementations: the @berth/runc
 * library in-process (the default: no process per operation) and any
 * runc-compatible binary run with runc's command line (containerd.runc.v1.Options
 * binary_name), real runc included. Calls are synchronous on purpose (see
 * reaper.ts: the shim never runs programs asynchronously).
 */
import type { LinuxResources, Process } from '@berth/runc';

export interface LaunchIO {
  /** fds for the process's 0, 1, 2 (ignored with a terminal). */
  stdio: [number, number, number];
  terminal: boolean;
}

export interface Launched {
  pid: number;
  /** The pty master, when the process has a terminal. */
  master?: number;
}

export interface CreateOpts {
  bundle: string;
  /** Where the runtime writes init's pid (containerd's init.pid). */
  pidFile: string;
  noPivot: boolean;
  noNewKeyring: boolean;
}

export type RuntimeStatus = 'created' | 'running' | 'paused' | 'stopped' | 'unknown';

export interface Runtime {
  /** "berth-runc (in-process)" or the binary's name: for logs and errors. */
  readonly name: string;
  create(id: string, opts: CreateOpts, io: LaunchIO): Launched;
  start(id: string): void;
  exec(id: string, execId: string, process: Process, io: LaunchIO): Launched;
  /** A signal to init, or with all to every process of the container. */
  kill(id: string, signal: number, all: boolean): void;
  delete(id: string, force: boolean): void;
  pause(id: string): void;
  resume(id: string): void;
  update(id: string, resources: LinuxResources): void;
  pids(id: string): number[];
  status(id: string): RuntimeStatus;
}
