/**
 * containerd.services.tasks.v1.Tasks: each task is served by its own berth-shim,
 * so this service mostly prepares the bundle, starts the shim and forwards
 * calls to it. The shim publishes the task events (/tasks/create, /tasks/exit,
 * ...) to our events service itself, so they survive our restarts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { failedPrecondition, invalidArgument, isBerthError, notFound, notImplemented } from '@berth/errors';
import { Tasks } from '../gen/containerd/services/tasks/v1/tasks_pb.js';
import type { ImplOf } from '../grpc/types.js';
import type { Logger } from '../log.js';
import { goQuote } from '../identifiers.js';
import { parseFilters } from '../filters/parse.js';
import type { ContainerStore } from '../containers/store.js';
import { bundleDir, type ShimHandle, type ShimRegistry } from './shims.js';
import { startShim } from './shim-launcher.js';
import type { SpareShims } from './spare.js';

/** Runtimes berth-shim stands in for (containerd's runc shims). */
const SUPPORTED_RUNTIMES = new Set(['io.containerd.runc.v2', 'io.containerd.runc.v1', 'io.containerd.runtime.v1.linux']);

export interface TasksDeps {
  containers: ContainerStore;
  shims: ShimRegistry;
  /** A pre-started shim a Create binds instead of starting one (optional). */
  spares?: SpareShims;
  state: string;
  containerdAddress: string;
  log: Logger;
}

export function tasksService(d: TasksDeps): ImplOf<typeof Tasks> {
  const shimFor = (ns: string, id: string): ShimHandle => {
    const s = d.shims.get(ns, id);
    if (!s) throw notFound(`no running task found: task ${id} not found`);
    return s;
  };

  const stateOf = async (s: ShimHandle, execId = '') => {
    const st = await s.client.state({ id: s.id, execId });
    return {
      id: execId === '' ? s.id : execId,
      containerId: s.id,
      pid: st.pid,
      status: st.status,
      stdin: st.stdin,
      stdout: st.stdout,
      stderr: st.stderr,
      terminal: st.terminal,
      exitStatus: st.exitStatus,
      ...(st.exitedAt ? { exitedAt: st.exitedAt } : {}),
    };
  };

  return {
    async create(req, ctx) {
      const ns = ctx.namespace();
      const container = await d.containers.get(ns, req.containerId);
      if (!SUPPORTED_RUNTIMES.has(container.runtime.name))
        throw invalidArgument(`runtime ${goQuote(container.runtime.name)} is not supported (berth-shim runs io.containerd.runc.v2)`);
      if (d.shims.get(ns, req.containerId)) throw failedPrecondition(`task ${req.containerId}: already exists`);
      if (req.checkpoint) throw notImplemented('checkpoint/restore is not supported');
      if (!container.spec) throw failedPrecondition(`container ${goQuote(container.id)} has no spec`);
      const bundle = bundleDir(d.state, ns, req.containerId);
      await fs.rm(bundle, { recursive: true, force: true }); // a bundle left by a create that crashed
      await fs.mkdir(bundle, { recursive: true, mode: 0o711 });
      let shim: ShimHandle | undefined;
      try {
        await fs.writeFile(path.join(bundle, 'config.json'), container.spec.value);
        const options = req.options ?? (container.runtime.options ? { typeUrl: container.runtime.options.typeUrl, value: container.runtime.options.value } : undefined);
        const createReq = {
          id: req.containerId,
          bundle,
          rootfs: req.rootfs,
          terminal: req.terminal,
          stdin: req.stdin,
          stdout: req.stdout,
          stderr: req.stderr,
          ...(options ? { options } : {}),
        };
        const spare = d.spares?.take();
        let pid: number | undefined;
        if (spare !== undefined) {
          shim = d.shims.attach(ns, req.containerId, bundle, spare);
          try {
            ({ pid } = await shim.client.create(createReq, { namespace: ns }));
          } catch (err) {
            // A spare that died before it was bound: start a shim of our own.
            if (!isBerthError(err, 'Unavailable')) throw err;
            d.log.warn('spare shim unavailable', { address: spare, error: (err as Error).message });
            d.shims.detach(ns, req.containerId);
            shim = undefined;
          }
        }
        if (pid === undefined) {
          const address = await startShim({ namespace: ns, id: req.containerId, bundle, containerdAddress: d.containerdAddress });
          shim = d.shims.attach(ns, req.containerId, bundle, address);
          ({ pid } = await shim.client.create(createReq, { namespace: ns }));
        }
        return { containerId: req.containerId, pid };
      } catch (err) {
        if (shim) {
          await shim.client.shutdown({ id: req.containerId, now: true }).catch(() => undefined);
          d.shims.detach(ns, req.containerId);
        }
        await fs.rm(bundle, { recursive: true, force: true });
        throw err;
      }
    },

    async start(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      return { pid: (await s.client.start({ id: req.containerId, execId: req.execId })).pid };
    },

    async delete(req, ctx) {
      const ns = ctx.namespace();
      const s = shimFor(ns, req.containerId);
      const r = await s.client.delete({ id: req.containerId, execId: '' });
      await s.client.shutdown({ id: req.containerId, now: false }).catch((err: unknown) => {
        // The shim exits while answering: a dropped connection is the expected end.
        if (!isBerthError(err, 'Unavailable')) d.log.warn('shim shutdown', { id: req.containerId, error: (err as Error).message });
      });
      d.shims.detach(ns, req.containerId);
      await fs.rm(s.bundle, { recursive: true, force: true });
      return { id: req.containerId, pid: r.pid, exitStatus: r.exitStatus, exitedAt: r.exitedAt ?? timestampNow() };
    },

    async deleteProcess(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      const r = await s.client.delete({ id: req.containerId, execId: req.execId });
      return { id: req.execId, pid: r.pid, exitStatus: r.exitStatus, exitedAt: r.exitedAt ?? timestampNow() };
    },

    async get(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      return { process: await stateOf(s, req.execId) };
    },

    async list(req, ctx) {
      const set = parseFilters(req.filter ? [req.filter] : []);
      const tasks = [];
      for (const s of d.shims.list(ctx.namespace())) {
        try {
          const t = await stateOf(s);
          if (set.match(([head]) => (head === 'id' || head === 'container_id' ? t.id : head === 'status' ? String(t.status) : undefined))) tasks.push(t);
        } catch (err) {
          d.log.warn('task state', { id: s.id, error: (err as Error).message });
        }
      }
      return { tasks };
    },

    async kill(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      await s.client.kill({ id: req.containerId, execId: req.execId, signal: req.signal, all: req.all });
      return {};
    },

    async exec(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      if (req.execId === '') throw invalidArgument('exec id must not be empty');
      await s.client.exec({
        id: req.containerId,
        execId: req.execId,
        terminal: req.terminal,
        stdin: req.stdin,
        stdout: req.stdout,
        stderr: req.stderr,
        ...(req.spec ? { spec: req.spec } : {}),
      });
      return {};
    },

    async resizePty(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      await s.client.resizePty({ id: req.containerId, execId: req.execId, width: req.width, height: req.height });
      return {};
    },

    async closeIO(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      await s.client.closeIO({ id: req.containerId, execId: req.execId, stdin: req.stdin });
      return {};
    },

    async pause(req, ctx) {
      await shimFor(ctx.namespace(), req.containerId).client.pause({ id: req.containerId });
      return {};
    },

    async resume(req, ctx) {
      await shimFor(ctx.namespace(), req.containerId).client.resume({ id: req.containerId });
      return {};
    },

    async listPids(req, ctx) {
      const r = await shimFor(ctx.namespace(), req.containerId).client.pids({ id: req.containerId });
      return { processes: r.processes };
    },

    async checkpoint() {
      throw notImplemented('checkpoint is not supported by berth (no CRIU)');
    },

    async update(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      await s.client.update({ id: req.containerId, ...(req.resources ? { resources: req.resources } : {}), annotations: req.annotations });
      return {};
    },

    async metrics(req, ctx) {
      const set = parseFilters(req.filters);
      const metrics = [];
      for (const s of d.shims.list(ctx.namespace())) {
        if (!set.match(([head]) => (head === 'id' ? s.id : undefined))) continue;
        const r = await s.client.stats({ id: s.id });
        metrics.push({ timestamp: timestampNow(), id: s.id, ...(r.stats ? { data: r.stats } : {}) });
      }
      return { metrics };
    },

    async wait(req, ctx) {
      const s = shimFor(ctx.namespace(), req.containerId);
      const r = await s.client.wait({ id: req.containerId, execId: req.execId }, { signal: ctx.signal });
      return { exitStatus: r.exitStatus, ...(r.exitedAt ? { exitedAt: r.exitedAt } : {}) };
    },
  };
}
