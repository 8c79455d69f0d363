/**
 * `create`: sets up the container and leaves its init blocked on the exec fifo.
 * Order: claim the id, read and convert config.json, create and limit the
 * cgroups, launch; on any failure undo all of it (state dir, cgroups, processes).
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { invalidArgument } from '@berth/errors';
import type { IDMapping, Spec } from '../spec/types.js';
import { buildInitPlan } from '../plan/build-plan.js';
import { cgroupManager, cgroupMode, detectLayout, type CgroupManager } from '../cgroups/index.js';
import { containerResources } from '../plan/cgroup-resources.js';
import { processStartTime } from '../state/proc.js';
import type { ContainerRecord } from '../state/store.js';
import { STATE_VERSION } from '../state/store.js';
import type { RuntimeContext } from './context.js';
import { launch } from './launch.js';
import { runHooks } from './hooks.js';
import { hookState, nowRfc3339Nano } from './oci-state.js';
import { writePidFile } from './pid-file.js';

export interface CreateOptions {
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  /** An already connected console socket (foreground `run` with a terminal). */
  consoleFd?: number;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  preserveFds?: number;
  /** Config already read (the CLI reads it once); otherwise <bundle>/config.json. */
  spec?: Spec;
}

export function loadSpec(bundle: string): Spec {
  const file = path.join(bundle, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw invalidArgument(`JSON specification file ${file} not found`);
    throw invalidArgument(`${file}: ${(err as Error).message}`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw invalidArgument(`config.json: invalid JSON: ${(err as Error).message}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw invalidArgument('config.json: must be a JSON object');
  const s = spec as Spec;
  if (typeof s.ociVersion !== 'string') throw invalidArgument('ociVersion: the OCI version is required');
  return s;
}

/** The host id that container id 0 maps to, if the mappings map it. */
function hostRootId(maps: IDMapping[] | undefined): number | undefined {
  const m = maps?.find((x) => x.containerID <= 0 && 0 < x.containerID + x.size);
  return m ? m.hostID - m.containerID : undefined;
}

export function createContainer(ctx: RuntimeContext, id: string, opts: CreateOptions): { pid: number } {
  const bundle = path.resolve(opts.bundle);
  if (!fs.existsSync(bundle)) throw invalidArgument(`bundle: chdir ${bundle}: no such file or directory`);
  const spec = opts.spec ?? loadSpec(bundle);
  if (spec.process?.terminal && !opts.consoleSocket && opts.consoleFd === undefined)
    throw invalidArgument('process.terminal: cannot allocate tty if runc will detach without setting console socket');
  if (!spec.process?.terminal && (opts.consoleSocket || opts.consoleFd !== undefined))
    throw invalidArgument('--console-socket: cannot use console socket if runc will not detach or allocate tty');

  const stateDir = ctx.store.claim(id);
  let cgroups: CgroupManager | undefined;
  try {
    cgroups = cgroupManager({ cgroupsPath: spec.linux?.cgroupsPath, id });
    const fifoPath = ctx.store.fifoPath(id);
    const stateSplit = JSON.stringify(hookState({ id, bundle, config: spec }, 'creating', 0)).split('"pid":0');
    const built = buildInitPlan({
      spec,
      bundle,
      cgroupPaths: cgroups.paths,
      cgroupMode: cgroupMode(),
      cgroupMounts: detectLayout().mounts,
      fifoPath,
      consoleSocket: opts.consoleSocket,
      consoleFd: opts.consoleFd,
      noPivot: opts.noPivot === true,
      noNewKeyring: opts.noNewKeyring === true,
      id,
      preserveFds: opts.preserveFds ?? 0,
      hookState: { prefix: `${stateSplit[0]}"pid":`, suffix: stateSplit[1] ?? '}' },
    });
    for (const w of built.warnings) ctx.log.warn(w);
    for (const n of built.notes) ctx.log.debug(n);
    const record: ContainerRecord = {
      version: STATE_VERSION,
      id,
      bundle,
      rootfs: built.plan.rootfs as string,
      initPid: 0,
      initStartTime: '',
      created: nowRfc3339Nano(),
      owner: os.userInfo().username,
      cgroupPaths: cgroups.paths,
      config: spec,
      createdDone: false,
    };
    ctx.store.write(record);
    ctx.core.mkfifo(fifoPath, 0o622);
    // Owned by the container's root, as runc's createExecFifo does.
    const rootUid = hostRootId(spec.linux?.uidMappings);
    const rootGid = hostRootId(spec.linux?.gidMappings);
    if (rootUid !== undefined && rootGid !== undefined) fs.chownSync(fifoPath, rootUid, rootGid);
    // cpuset and realtime values go in before the first pid joins; the limits
    // only once init has set up its rootfs (runc's procHooks): runtime
    // processes do not count against pids.limit, and device nodes are made
    // before linux.resources.devices can deny them.
    const resources = containerResources(spec);
    cgroups.create(resources);
    const mgr = cgroups;
    const { pid } = launch(ctx.core, built.plan, {
      placeInCgroups: (p) => mgr.apply(p),
      uidMappings: spec.linux?.uidMappings,
      gidMappings: spec.linux?.gidMappings,
      processField: 'process',
      runParentHooks: (initPid) => {
        const { warnings } = mgr.set(resources);
        for (const w of warnings) ctx.log.warn(w);
        const state = hookState(record, 'creating', initPid);
        runHooks('prestart', spec.hooks?.prestart, state);
        runHooks('createRuntime', spec.hooks?.createRuntime, state);
      },
    });
    record.initPid = pid;
    record.initStartTime = processStartTime(pid) ?? '';
    record.createdDone = true;
    ctx.store.write(record);
    if (opts.pidFile) writePidFile(opts.pidFile, pid);
    return { pid };
  } catch (err) {
    try {
      if (cgroups) {
        cgroups.signalAll('SIGKILL');
        cgroups.destroy();
      }
    } catch (cleanupErr) {
      ctx.log.warn(`cleaning up cgroups of ${id}: ${(cleanupErr as Error).message}`);
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
}
