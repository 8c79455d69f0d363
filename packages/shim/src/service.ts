/**
 * containerd.task.v2.Task for the one container of this shim: request checks
 * and shapes, around Task (task/task.ts). Checkpoint is not served (gRPC
 * UNIMPLEMENTED); Stats answers cgroup v1 metrics (v2: NotImplemented for now).
 */
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { failedPrecondition, invalidArgument, notFound } from '@berth/errors';
import type { LinuxResources, Process } from '@berth/runc';
import { Task as TaskService } from '@berth/containerd/gen/containerd/runtime/v2/task/shim_pb';
import { Status } from '@berth/containerd/gen/containerd/types/task/task_pb';
import { ProcessDetailsSchema } from '@berth/containerd/gen/containerd/runtime/v2/runc/options/oci_pb';
import type { ImplOf } from '@berth/containerd/grpc/types';
import { namespaceOf } from '@berth/containerd/grpc/namespace';
import { packAny } from '@berth/containerd/typeurl';
import { unpackJson } from './task/json-any.js';
import type { ProcessState } from './task/process.js';
import { Task, type TaskDeps } from './task/task.js';
import { shimVersion } from './version.js';


export interface Binding {
  id: string;
  bundle: string;
  namespace: string;
}

export interface ShimHooks {
  /** Create names the container (a spare shim learns its id, bundle and namespace here). */
  bind(b: Binding): void;
  /** Shutdown was asked for and the container is gone: exit soon. */
  shutdown(): void;
}

const statusOf: Record<ProcessState, Status> = {
  created: Status.CREATED,
  running: Status.RUNNING,
  paused: Status.PAUSED,
  stopped: Status.STOPPED,
  deleted: Status.UNKNOWN,
};

export class ShimService {
  task: Task | undefined;
  private creating = false;

  constructor(
    private readonly flags: Binding,
    private readonly deps: TaskDeps,
    private readonly hooks: ShimHooks,
  ) {}

  /** The task named id; NotFound like containerd's shim ("container not created"). */
  private get(id: string): Task {
    if (this.task === undefined || this.task.id !== id || this.task.init.state === 'deleted') throw notFound('container not created');
    return this.task;
  }

  get deleted(): boolean {
    return this.task === undefined || this.task.init.state === 'deleted';
  }

  impl(): ImplOf<typeof TaskService> {
    return {
      create: (req, ctx) => {
        if (this.task !== undefined || this.creating) throw failedPrecondition(`shim already serves container ${this.task?.id ?? ''}`.trim());
        if (req.id === '') throw invalidArgument('id is required');
        if (this.flags.id !== '' && req.id !== this.flags.id) throw invalidArgument(`this shim was started for container ${this.flags.id}, not ${req.id}`);
        if (this.flags.bundle !== '' && req.bundle !== this.flags.bundle) throw invalidArgument(`this shim was started for bundle ${this.flags.bundle}, not ${req.bundle}`);
        const namespace = this.flags.namespace || namespaceOf(ctx.metadata) || '';
        if (namespace === '') throw failedPrecondition('namespace is required');
        this.creating = true;
        try {
          this.hooks.bind({ id: req.id, bundle: req.bundle, namespace });
          this.task = Task.create(
            {
              id: req.id,
              bundle: req.bundle,
              namespace,
              rootfs: req.rootfs.map((m) => ({ type: m.type, source: m.source, options: [...m.options] })),
              options: req.options,
              checkpoint: req.checkpoint,
              stdin: req.stdin,
              stdout: req.stdout,
              stderr: req.stderr,
              terminal: req.terminal,
            },
            this.deps,
          );
        } finally {
          this.creating = false;
        }
        return { pid: this.task.init.pid };
      },
      start: (req) => ({ pid: this.get(req.id).start(req.execId) }),
      delete: async (req) => {
        const { pid, exit } = await this.get(req.id).delete(req.execId);
        return { pid, exitStatus: exit?.status ?? 0, ...(exit ? { exitedAt: timestampFromDate(exit.at) } : {}) };
      },
      pids: (req) => ({
        processes: this.get(req.id)
          .pids()
          .map(({ pid, execId }) => ({ pid, ...(execId !== '' ? { info: packAny(ProcessDetailsSchema, { execId }) } : {}) })),
      }),
      pause: (req) => {
        this.get(req.id).pause();
        return {};
      },
      resume: (req) => {
        this.get(req.id).resume();
        return {};
      },
      kill: (req) => {
        this.get(req.id).kill(req.execId, req.signal, req.all);
        return {};
      },
      exec: (req) => {
        const task = this.get(req.id);
        const spec = unpackJson<Process>(req.spec, 'Process');
        if (!Array.isArray(spec.args) || spec.args.length === 0) throw invalidArgument('process.args must not be empty');
        task.addExec(req.execId, spec, { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, terminal: req.terminal });
        return {};
      },
      resizePty: (req) => {
        this.get(req.id).process(req.execId).io?.resize(req.width, req.height);
        return {};
      },
      closeIO: (req) => {
        if (req.stdin) this.get(req.id).process(req.execId).io?.closeStdin();
        return {};
      },
      update: (req) => {
        this.get(req.id).update(unpackJson<LinuxResources>(req.resources, 'LinuxResources'));
        return {};
      },
      wait: async (req, ctx) => {
        const exit = await this.get(req.id).process(req.execId).wait(ctx.signal);
        return { exitStatus: exit.status, exitedAt: timestampFromDate(exit.at) };
      },
      state: (req) => {
        const task = this.get(req.id);
        const p = task.process(req.execId);
        return {
          id: p.isInit ? task.id : p.execId,
          bundle: task.bundle,
          pid: p.pid,
          status: statusOf[p.state],
          stdin: p.stdio.stdin,
          stdout: p.stdio.stdout,
          stderr: p.stdio.stderr,
          terminal: p.stdio.terminal,
          exitStatus: p.exit?.status ?? 0,
          ...(p.exit ? { exitedAt: timestampFromDate(p.exit.at) } : {}),
          execId: p.execId,
        };
      },
      stats: (req) => ({ stats: this.get(req.id).stats() }),
      connect: () => ({
        shimPid: process.pid,
        taskPid: this.task !== undefined && !this.deleted ? this.task.init.pid : 0,
        version: shimVersion,
      }),
      shutdown: () => {
        // containerd's shim: still serving a container = nothing to do.
        if (!this.deleted || this.creating) return {};
        this.hooks.shutdown();
        return {};
      },
    };
  }
}
