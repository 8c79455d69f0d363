/**
 * `exec`: starts another process in a running container. It joins the
 * container's namespaces and cgroups and gets the container's seccomp filter;
 * the process spec is the container's own with the caller's overrides, or a
 * complete one from --process.
 */
import { failedPrecondition } from '@berth/errors';
import type { Process } from '../spec/types.js';
import { buildExecPlan } from '../plan/build-plan.js';
import { cgroupManagerFromPaths } from '../cgroups/manager.js';
import type { RuntimeContext } from './context.js';
import { containerStatus } from './status.js';
import { launch } from './launch.js';
import { writePidFile } from './pid-file.js';

export interface ExecOptions {
  process: Process;
  consoleSocket?: string;
  consoleFd?: number;
  pidFile?: string;
  preserveFds?: number;
}

export function execProcess(ctx: RuntimeContext, id: string, opts: ExecOptions): { pid: number } {
  const record = ctx.store.read(id);
  const status = containerStatus(record, ctx.store.dir(id));
  if (status === 'stopped') throw failedPrecondition('cannot exec in a stopped container');
  if (status === 'paused') throw failedPrecondition('cannot exec in a paused container');
  const built = buildExecPlan({
    spec: record.config,
    initPid: record.initPid,
    process: opts.process,
    consoleSocket: opts.consoleSocket,
    consoleFd: opts.consoleFd,
    preserveFds: opts.preserveFds ?? 0,
  });
  for (const w of built.warnings) ctx.log.warn(w);
  for (const n of built.notes) ctx.log.debug(n);
  const cgroups = cgroupManagerFromPaths(record.cgroupPaths);
  const { pid } = launch(ctx.core, built.plan, { placeInCgroups: (p) => cgroups.apply(p), processField: 'process' });
  if (opts.pidFile) writePidFile(opts.pidFile, pid);
  return { pid };
}

export interface ExecOverrides {
  args: string[];
  env?: string[];
  cwd?: string;
  user?: { uid: number; gid: number };
  additionalGids?: number[];
  terminal?: boolean;
  capAdd?: string[];
  noNewPrivileges?: boolean;
}

/** runc exec without --process: the container's process spec, then the overrides. */
export function execProcessSpec(base: Process | undefined, o: ExecOverrides): Process {
  const p: Process = structuredClone(base ?? { user: { uid: 0, gid: 0 }, cwd: '/' });
  p.args = o.args;
  if (o.env?.length) {
    const env = [...(p.env ?? [])];
    for (const e of o.env) {
      const key = e.slice(0, e.indexOf('=') + 1);
      const i = env.findIndex((x) => key && x.startsWith(key));
      if (i >= 0) env[i] = e;
      else env.push(e);
    }
    p.env = env;
  }
  if (o.cwd) p.cwd = o.cwd;
  if (o.user) p.user = { ...p.user, uid: o.user.uid, gid: o.user.gid };
  if (o.additionalGids) p.user = { ...p.user, additionalGids: o.additionalGids };
  p.terminal = o.terminal === true;
  if (o.noNewPrivileges) p.noNewPrivileges = true;
  if (o.capAdd?.length) {
    const caps = p.capabilities ?? {};
    for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) {
      if (set === 'ambient' || set === 'inheritable') continue;
      caps[set] = [...new Set([...(caps[set] ?? []), ...o.capAdd])];
    }
    p.capabilities = caps;
  }
  return p;
}
