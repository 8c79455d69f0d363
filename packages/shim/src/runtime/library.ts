/**
 * The default runtime: @berth/runc called in-process. The container's init and
 * exec processes are children of the shim (the native core clones with
 * CLONE_PARENT), so the shim's reaper sees their exits directly.
 *
 * The library launches with the caller's stdio; the shim gives each launch its
 * own by wrapping the native core so the launch plan carries the process's
 * stdio fds (the child dup2s them onto 0, 1, 2). With a terminal, the pty
 * master comes back over a socketpair (the plan's consoleFd).
 */
import {
  containerStatusOf,
  containerPids,
  createContainer,
  deleteContainer,
  execProcess,
  killContainer,
  pauseContainer,
  resumeContainer,
  runtimeContext,
  startContainer,
  updateContainer,
  type LinuxResources,
  type NativeCore,
  type Process,
  type RuntimeContext,
} from '@berth/runc';
import { isBerthError } from '@berth/errors';
import fs from 'node:fs';
import type { Logger } from '../log.js';
import type { CreateOpts, LaunchIO, Launched, Runtime, RuntimeStatus } from './runtime.js';

export class LibraryRuntime implements Runtime {
  readonly name = 'berth-runc (in-process)';
  private readonly ctx: RuntimeContext;

  constructor(
    private readonly root: string,
    private readonly core: NativeCore,
    log: Logger,
  ) {
    this.ctx = runtimeContext({ root, core, log: { warn: (msg) => log.warn(msg), debug: (msg) => log.debug(msg) } });
  }

  /** A context whose launches use io's stdio (and, with a terminal, a console socketpair end). */
  private launching<T>(io: LaunchIO, run: (ctx: RuntimeContext, consoleFd?: number) => { pid: number } & T): Launched {
    const stdio = io.terminal ? undefined : io.stdio;
    const core: NativeCore = { ...this.core, spawn: (plan) => this.core.spawn(stdio ? { ...plan, stdio } : plan) };
    const ctx: RuntimeContext = { ...this.ctx, core };
    if (!io.terminal) return { pid: run(ctx).pid };
    const [ours, theirs] = this.core.socketpair();
    let pid: number;
    try {
      pid = run(ctx, theirs).pid;
    } catch (err) {
      fs.closeSync(ours);
      throw err;
    } finally {
      // Closed exactly once, before recvFd: the master may get this fd's number.
      fs.closeSync(theirs);
    }
    try {
      // The child sent the master before the launch returned: this does not block.
      return { pid, master: this.core.recvFd(ours).fd };
    } finally {
      fs.closeSync(ours);
    }
  }

  create(id: string, opts: CreateOpts, io: LaunchIO): Launched {
    return this.launching(io, (ctx, consoleFd) =>
      createContainer(ctx, id, {
        bundle: opts.bundle,
        pidFile: opts.pidFile,
        noPivot: opts.noPivot,
        noNewKeyring: opts.noNewKeyring,
        ...(consoleFd !== undefined ? { consoleFd } : {}),
      }),
    );
  }

  start(id: string): void {
    startContainer(this.ctx, id);
  }

  exec(id: string, _execId: string, process: Process, io: LaunchIO): Launched {
    return this.launching(io, (ctx, consoleFd) => execProcess(ctx, id, { process, ...(consoleFd !== undefined ? { consoleFd } : {}) }));
  }

  kill(id: string, signal: number, all: boolean): void {
    killContainer(this.ctx, id, signal, all);
  }

  delete(id: string, force: boolean): void {
    deleteContainer(this.ctx, id, force);
  }

  pause(id: string): void {
    pauseContainer(this.ctx, id);
  }

  resume(id: string): void {
    resumeContainer(this.ctx, id);
  }

  update(id: string, resources: LinuxResources): void {
    updateContainer(this.ctx, id, resources);
  }

  pids(id: string): number[] {
    return containerPids(this.ctx, id);
  }

  status(id: string): RuntimeStatus {
    try {
      const s = containerStatusOf(this.ctx, id);
      return s === 'creating' ? 'created' : s;
    } catch (err) {
      if (isBerthError(err, 'NotFound')) return 'unknown';
      throw err;
    }
  }

  toString(): string {
    return `${this.name} root ${this.root}`;
  }
}
