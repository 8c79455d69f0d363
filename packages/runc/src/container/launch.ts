/**
 * Drives the parent side of the handshake with the native child (see
 * native/child.cc): cgroup placement, uid/gid maps, runtime hooks, and the
 * container's init pid. On any failure every process it started is killed and
 * reaped before the error is thrown.
 */
import fs from 'node:fs';
import { internal } from '@berth/errors';
import type { IDMapping } from '../spec/types.js';
import type { NativePlan } from '../native/plan-types.js';
import { MsgType, type NativeCore } from '../native/core.js';
import { childError } from './child-errors.js';

export interface LaunchOptions {
  /** Puts the first child in the container's cgroups before it creates namespaces. */
  placeInCgroups(pid: number): void;
  uidMappings?: IDMapping[];
  gidMappings?: IDMapping[];
  /** prestart/createRuntime hooks, with init's host pid; runs while init waits. */
  runParentHooks?(initPid: number): void;
  processField: string;
  timeoutMs?: number;
}

function writeMaps(pid: number, uid: IDMapping[] = [], gid: IDMapping[] = []): void {
  const fmt = (maps: IDMapping[]) => maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
  fs.writeFileSync(`/proc/${pid}/uid_map`, fmt(uid));
  fs.writeFileSync(`/proc/${pid}/gid_map`, fmt(gid));
}

function killAndReap(core: NativeCore, pid: number): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  try {
    core.waitpid(pid, false);
  } catch {
    // not our child (or already reaped)
  }
}

/** Starts the plan's process; returns once it is set up (init: blocked on the exec fifo). */
export function launch(core: NativeCore, plan: NativePlan, opts: LaunchOptions): { pid: number } {
  const timeout = opts.timeoutMs ?? 60_000;
  const { pid: stage1, syncFd } = core.spawn(plan);
  let init = 0;
  let stage1Reaped = false;
  try {
    opts.placeInCgroups(stage1);
    core.sendGo(syncFd);
    for (;;) {
      const msg = core.recvMsg(syncFd, timeout);
      if (msg === null) throw internal('container init exited before it was set up');
      switch (msg.type) {
        case MsgType.UserMap:
          writeMaps(msg.value, opts.uidMappings, opts.gidMappings);
          core.sendGo(syncFd);
          break;
        case MsgType.Pid:
          init = msg.value;
          core.waitpid(stage1, false);
          stage1Reaped = true;
          core.sendGo(syncFd, init);
          break;
        case MsgType.Hooks:
          opts.runParentHooks?.(init);
          core.sendGo(syncFd);
          break;
        case MsgType.Ready:
          return { pid: init };
        case MsgType.Error:
          throw childError(msg, { plan, processField: opts.processField });
        default:
          throw internal(`unexpected message ${msg.type} from container init`);
      }
    }
  } catch (err) {
    killAndReap(core, init);
    if (!stage1Reaped) killAndReap(core, stage1);
    throw err;
  } finally {
    fs.closeSync(syncFd);
  }
}
