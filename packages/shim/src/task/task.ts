/**
 * The one container a shim serves: its init process and its exec processes by
 * exec id, the runtime that runs them, their stdio, and the way their exits are
 * recorded (exit file first, then waiters, then the /tasks/exit event, never
 * before the process's start event).
 */
import fs from 'node:fs';
import { alreadyExists, failedPrecondition, isBerthError, notFound, notImplemented } from '@berth/errors';
import { timestampFromDate, type Any } from '@bufbuild/protobuf/wkt';
import { MetricsSchema } from '@berth/containerd/gen/containerd/cgroups/stats/v1/metrics_pb';
import { packAny } from '@berth/containerd/typeurl';
import type { LinuxResources, NativeCore, Process, WaitResult } from '@berth/runc';
import type { TaskEvent } from '../events/task-events.js';
import { taskEvents } from '../events/task-events.js';
import { ProcessIO, type IOConfig } from '../io/process-io.js';
import type { Logger } from '../log.js';
import { bundleFiles } from '../paths.js';
import { exitStatusOf, type Reaper } from '../reaper.js';
import { decodeOptions, saveOptions, selectRuntime, type RuntimeOptions } from '../runtime/options.js';
import type { Launched, Runtime } from '../runtime/runtime.js';
import { writeExitRecord } from './exit-file.js';
import { cgroupDirsOf, oomCounterFile, type CgroupDirs } from './cgroup-dirs.js';
import { metricsV1 } from './metrics-v1.js';
import { OomWatcher } from './oom.js';
import { TaskProcess, type Exit } from './process.js';
import { mountRootfs, unmountRootfs, type RootfsMount } from './rootfs.js';

export interface TaskDeps {
  core: NativeCore;
  reaper: Reaper;
  publish: (e: TaskEvent) => void;
  log: Logger;
  /** -runtime-root: the default runtime root, joined with the namespace. */
  runtimeRoot: string;
}

export interface CreateParams extends IOConfig {
  id: string;
  bundle: string;
  namespace: string;
  rootfs: RootfsMount[];
  options: Any | undefined;
  checkpoint: string;
}

/** How long Delete waits for a process's output to reach the client before closing its stdio. */
const DRAIN_MS = 2_000;

export class Task {
  readonly init: TaskProcess;
  readonly execs = new Map<string, { proc: TaskProcess; spec: Process }>();
  private oom: OomWatcher | undefined;
  /** The container's cgroups, read from init while it lives (Create). */
  private cgroups: CgroupDirs | undefined;
  private readonly files: ReturnType<typeof bundleFiles>;

  private constructor(
    readonly id: string,
    readonly bundle: string,
    readonly runtime: Runtime,
    private readonly options: RuntimeOptions,
    private readonly deps: TaskDeps,
    stdio: IOConfig,
  ) {
    this.files = bundleFiles(bundle);
    this.init = new TaskProcess('', stdio);
  }

  static create(p: CreateParams, deps: TaskDeps): Task {
    if (p.checkpoint !== '') throw notImplemented('checkpoint/restore is not supported');
    const files = bundleFiles(p.bundle);
    if (!fs.existsSync(p.bundle)) throw notFound(`bundle ${p.bundle}`);
    const options = decodeOptions(p.options, deps.runtimeRoot, p.namespace, deps.log);
    saveOptions(files.options, options);
    const runtime = selectRuntime(options, files.runtimeLog, deps.core, deps.log);
    const task = new Task(p.id, p.bundle, runtime, options, deps, p);
    mountRootfs(files.rootfs, p.rootfs);
    try {
      const launched = task.launch(task.init, (io) =>
        runtime.create(p.id, { bundle: p.bundle, pidFile: files.initPid, noPivot: options.noPivotRoot, noNewKeyring: options.noNewKeyring }, io),
      );
      task.cgroups = cgroupDirsOf(launched.pid);
      deps.log.info('created', { pid: launched.pid, runtime: runtime.name });
    } catch (err) {
      unmountRootfs(files.rootfs);
      throw err;
    }
    deps.publish(
      taskEvents.create({
        containerId: p.id,
        bundle: p.bundle,
        rootfs: p.rootfs,
        io: { stdin: p.stdin, stdout: p.stdout, stderr: p.stderr, terminal: p.terminal },
        checkpoint: p.checkpoint,
        pid: task.init.pid,
      }),
    );
    return task;
  }

  /** Opens proc's stdio, runs the launch, wires the stdio and watches the pid. */
  private launch(proc: TaskProcess, run: (io: { stdio: [number, number, number]; terminal: boolean }) => Launched): Launched {
    const { core, log } = this.deps;
    // The pipes are made in the bundle and unlinked at once: nothing is left behind, even by a killed shim.
    const pipeDir = this.bundle;
    const owner = this.options.ioUid !== 0 || this.options.ioGid !== 0 ? { uid: this.options.ioUid, gid: this.options.ioGid } : undefined;
    const io = new ProcessIO(proc.stdio, { pipeDir, mkfifo: core.mkfifo, setWinsize: core.setWinsize, log: log.with({ execId: proc.execId }), ...(owner ? { owner } : {}) });
    let launched: Launched;
    try {
      launched = run({ stdio: io.containerStdio(), terminal: proc.stdio.terminal });
    } catch (err) {
      io.abandon();
      throw err;
    }
    io.launched();
    if (launched.master !== undefined) io.attachConsole(launched.master);
    proc.io = io;
    proc.pid = launched.pid;
    this.deps.reaper.watch(launched.pid, (r) => this.exited(proc, r));
    return launched;
  }

  /** The process (init for ''), NotFound like containerd's shim. */
  process(execId: string): TaskProcess {
    if (execId === '') {
      if (this.init.state === 'deleted') throw notFound('container not created');
      return this.init;
    }
    const e = this.execs.get(execId);
    if (e === undefined) throw notFound(`process does not exist ${execId}`);
    return e.proc;
  }

  start(execId: string): number {
    const proc = this.process(execId);
    proc.mustBe('start', 'created');
    proc.starting = true;
    try {
      if (execId === '') {
        this.runtime.start(this.id);
        this.watchOom();
        if (proc.state === 'created') proc.state = 'running';
        this.deps.publish(taskEvents.start({ containerId: this.id, pid: proc.pid }));
      } else {
        this.init.mustBe('exec', 'running');
        const { spec } = this.execs.get(execId) as { spec: Process };
        this.launch(proc, (io) => this.runtime.exec(this.id, execId, spec, io));
        if (proc.state === 'created') proc.state = 'running';
        this.deps.publish(taskEvents.execStarted({ containerId: this.id, execId, pid: proc.pid }));
      }
    } finally {
      proc.finishStart();
    }
    return proc.pid;
  }

  private watchOom(): void {
    const file = this.cgroups ? oomCounterFile(this.cgroups) : undefined;
    if (file === undefined) return;
    this.oom = new OomWatcher(file, () => {
      this.deps.log.warn('OOM kill in the container');
      this.deps.publish(taskEvents.oom({ containerId: this.id }));
    });
  }

  /** A reaped process: durable record, then state and waiters, then the event. */
  private exited(proc: TaskProcess, r: WaitResult): void {
    const exit: Exit = { status: exitStatusOf(r), at: new Date() };
    try {
      writeExitRecord(this.files.exits, {
        id: this.id,
        execId: proc.execId,
        pid: proc.pid,
        exitStatus: exit.status,
        exitedAt: exit.at.toISOString(),
        ...(r.status !== undefined ? { waitStatus: r.status } : {}),
      });
    } catch (err) {
      this.deps.log.error('cannot record exit', { execId: proc.execId, error: err });
    }
    this.deps.log.info('exited', { execId: proc.execId, pid: proc.pid, status: exit.status });
    if (proc.isInit) {
      this.oom?.check();
      this.oom?.stop();
      this.killAllIfSharedPidNs();
    }
    proc.markExited(exit);
    proc.whenStarted(() =>
      this.deps.publish(
        taskEvents.exit({ containerId: this.id, id: proc.isInit ? this.id : proc.execId, pid: proc.pid, exitStatus: exit.status, exitedAt: timestampFromDate(exit.at) }),
      ),
    );
  }

  /** Without its own pid namespace nothing kills init's descendants with it: containerd kills them (ShouldKillAllOnExit). */
  private killAllIfSharedPidNs(): void {
    try {
      const spec = JSON.parse(fs.readFileSync(`${this.bundle}/config.json`, 'utf8')) as { linux?: { namespaces?: { type: string; path?: string }[] } };
      if (spec.linux?.namespaces?.some((ns) => ns.type === 'pid' && !ns.path)) return;
      this.runtime.kill(this.id, 9, true);
    } catch (err) {
      this.deps.log.warn("cannot kill init's remaining processes", { error: err });
    }
  }

  addExec(execId: string, spec: Process, stdio: IOConfig): void {
    if (execId === '') throw failedPrecondition('exec id must not be empty');
    this.init.mustBe('exec', 'created', 'running');
    if (this.execs.has(execId)) throw alreadyExists(`id ${execId}`);
    this.execs.set(execId, { proc: new TaskProcess(execId, stdio), spec: { ...spec, terminal: stdio.terminal } });
    this.deps.publish(taskEvents.execAdded({ containerId: this.id, execId }));
  }

  kill(execId: string, signal: number, all: boolean): void {
    const proc = this.process(execId);
    if (proc.state === 'stopped') throw notFound('process already finished');
    if (!proc.isInit) {
      proc.mustBe('kill', 'running');
      try {
        process.kill(proc.pid, signal);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') throw notFound('process already finished', err);
        throw err;
      }
      return;
    }
    try {
      this.runtime.kill(this.id, signal, all);
    } catch (err) {
      if (isBerthError(err, 'FailedPrecondition')) throw notFound('process already finished', err);
      throw err;
    }
  }

  pause(): void {
    this.init.mustBe('pause', 'running');
    this.runtime.pause(this.id);
    this.init.state = 'paused';
    this.deps.publish(taskEvents.paused({ containerId: this.id }));
  }

  resume(): void {
    this.init.mustBe('resume', 'paused');
    this.runtime.resume(this.id);
    this.init.state = 'running';
    this.deps.publish(taskEvents.resumed({ containerId: this.id }));
  }

  update(resources: LinuxResources): void {
    this.init.mustBe('update', 'created', 'running', 'paused');
    this.runtime.update(this.id, resources);
  }

  /** Cgroup metrics (Stats), as containerd's runc shim answers them. */
  stats(): Any {
    this.process('');
    if (this.cgroups === undefined) throw notFound('cgroup does not exist');
    if (Object.keys(this.cgroups.v1).length === 0) throw notImplemented('stats: cgroup v2 metrics are not implemented yet');
    return packAny(MetricsSchema, metricsV1(this.cgroups.v1));
  }

  /** Pids in the container, each with the exec id that owns it ('' for others). */
  pids(): { pid: number; execId: string }[] {
    this.process('');
    const execOf = new Map<number, string>();
    for (const [id, { proc }] of this.execs) if (proc.pid > 0 && proc.state !== 'stopped') execOf.set(proc.pid, id);
    return this.runtime.pids(this.id).map((pid) => ({ pid, execId: execOf.get(pid) ?? '' }));
  }

  async delete(execId: string): Promise<{ pid: number; exit: Exit | undefined }> {
    const proc = this.process(execId);
    proc.mustBe('delete', 'created', 'stopped');
    if (!proc.isInit) {
      await this.closeIO(proc);
      this.execs.delete(execId);
      proc.state = 'deleted';
      return { pid: proc.pid, exit: proc.exit };
    }
    try {
      this.runtime.delete(this.id, false);
    } catch (err) {
      if (!isBerthError(err, 'NotFound')) throw err;
      this.deps.log.warn('runtime has no such container', { error: err });
    }
    // A created init was killed by the runtime's delete: its exit is ready to reap.
    this.deps.reaper.reap();
    this.oom?.stop();
    await this.closeIO(proc);
    for (const { proc: e } of this.execs.values()) await this.closeIO(e);
    unmountRootfs(this.files.rootfs);
    proc.state = 'deleted';
    const exit = proc.exit;
    this.deps.publish(
      taskEvents.delete({ containerId: this.id, pid: proc.pid, exitStatus: exit?.status ?? 0, ...(exit ? { exitedAt: timestampFromDate(exit.at) } : {}) }),
    );
    return { pid: proc.pid, exit };
  }

  private async closeIO(proc: TaskProcess): Promise<void> {
    if (proc.io === undefined) return;
    if (!(await proc.io.drained(DRAIN_MS))) this.deps.log.warn('output still open at delete, closing it', { execId: proc.execId });
    proc.io.close();
    proc.io = undefined;
  }
}
