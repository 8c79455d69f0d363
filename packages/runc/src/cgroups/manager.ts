/**
 * The cgroup manager of berth-runc: runc 1.1's cgroupfs driver ("fs" for v1
 * and hybrid hosts, "fs2" for unified ones) in TypeScript. All methods are
 * synchronous: they are a handful of small file operations.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { failedPrecondition, invalidArgument } from '@berth/errors';
import type { LinuxResources } from '../spec/types.js';
import { freezeV1, freezeV2, isFrozenV1, isFrozenV2, thawV1, thawV2 } from './freezer.js';
import { dirExists, errnoCode, readProcsRecursive, removeCgroupDir, sleepMs, sysError, writeRaw } from './fsutil.js';
import { detectLayout, findV2Mount, resolveCgroupPaths } from './paths.js';
import { statsV1, statsV2 } from './stats.js';
import type { CgroupStats } from './stats-types.js';
import { toRuncStats } from './stats-types.js';
import { createV1, writePid } from './join.js';
import { setV1 } from './v1.js';
import { createV2, setV2 } from './v2.js';
import { validateResources } from './validate.js';

export interface CgroupManager {
  /** 1 for v1 and hybrid hosts (with "" = the unified dir), 2 for unified. */
  readonly version: 1 | 2;
  /** v1: subsystem -> dir (and "" -> cgroup2 dir in hybrid mode); v2: "" -> dir. As in runc's state.json cgroup_paths. */
  readonly paths: Record<string, string>;
  /** mkdir -p every dir; cpus/mems and realtime settings in `resources` are applied before any pid can join. */
  create(resources?: LinuxResources): void;
  /** Move `pid` into every hierarchy (creating dirs still missing). */
  apply(pid: number): void;
  /** Write the limits; 0/undefined fields are left alone. */
  set(resources: LinuxResources): { warnings: string[] };
  freeze(): void;
  thaw(): void;
  isFrozen(): boolean;
  /** Every pid in the cgroup and its sub-cgroups. */
  pids(): number[];
  /** Freeze, signal every process, thaw (runc's signalAllProcesses). */
  signalAll(signal: NodeJS.Signals | number): void;
  /** runc 1.1 `events --stats` data. */
  stats(): CgroupStats;
  /** rmdir every dir (sub-cgroups first), retrying while the kernel still has it busy. */
  destroy(): void;
  exists(): boolean;
}

function ignoreEsrch(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (errnoCode(err) !== 'ESRCH') throw err;
  }
}

class Manager implements CgroupManager {
  readonly version: 1 | 2;

  constructor(readonly paths: Record<string, string>) {
    const keys = Object.keys(paths);
    this.version = keys.length === 1 && keys[0] === '' ? 2 : 1;
  }

  /** The dir used for whole-container questions (exists, pids): devices in v1, as runc. */
  private main(): string {
    const p = this.paths;
    const dir = this.version === 2 ? p[''] : (p['devices'] ?? p['pids'] ?? p['memory'] ?? p['freezer'] ?? Object.values(p)[0]);
    if (dir === undefined) throw failedPrecondition('cgroup: manager has no paths');
    return dir;
  }

  create(resources?: LinuxResources): void {
    const layout = detectLayout();
    if (this.version === 2) {
      const mount = layout.mounts
        .filter((m) => m.version === 2 && this.paths['']!.startsWith(m.mountPoint + '/'))
        .sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
      createV2((mount ?? findV2Mount(layout))?.mountPoint ?? '/sys/fs/cgroup', this.paths['']!, resources);
      return;
    }
    createV1(this.paths, layout, resources);
  }

  apply(pid: number): void {
    if (!Number.isInteger(pid) || pid <= 0) throw invalidArgument(`cgroup: invalid pid ${pid}`);
    if (!Object.values(this.paths).every(dirExists)) this.create();
    for (const dir of Object.values(this.paths)) writePid(dir, pid);
  }

  set(resources: LinuxResources): { warnings: string[] } {
    const warnings = validateResources(resources, this.version);
    if (this.version === 2) setV2(this.main(), resources);
    else setV1(this.paths, resources);
    return { warnings };
  }

  private freezerDir(): string | undefined {
    return this.version === 2 ? this.paths[''] : this.paths['freezer'];
  }

  freeze(): void {
    const dir = this.freezerDir();
    if (dir === undefined) throw failedPrecondition('freezer: cannot freeze: the freezer cgroup controller is not mounted');
    if (this.version === 2) freezeV2(dir);
    else freezeV1(dir);
  }

  thaw(): void {
    const dir = this.freezerDir();
    if (dir === undefined) return;
    if (this.version === 2) thawV2(dir);
    else thawV1(dir);
  }

  isFrozen(): boolean {
    const dir = this.freezerDir();
    if (dir === undefined) return false;
    return this.version === 2 ? isFrozenV2(dir) : isFrozenV1(dir);
  }

  pids(): number[] {
    return readProcsRecursive(this.main());
  }

  signalAll(signal: NodeJS.Signals | number): void {
    if (!this.exists()) return;
    const dir = this.main();
    // cgroup.kill (v2, Linux 5.14+) SIGKILLs the whole subtree atomically,
    // with no freeze/fork race at all.
    if (this.version === 2 && (signal === 'SIGKILL' || signal === 9) && fs.existsSync(path.join(dir, 'cgroup.kill'))) {
      writeRaw(dir, 'cgroup.kill', '1');
      return;
    }
    // Freezing first means nobody forks between listing and signalling; a
    // failed freeze is not fatal (runc only warns), the sweep still runs.
    let frozen = false;
    try {
      this.freeze();
      frozen = true;
    } catch {
      // no freezer: best effort
    }
    try {
      for (const pid of readProcsRecursive(dir)) ignoreEsrch(() => process.kill(pid, signal));
    } finally {
      if (frozen) this.thaw();
    }
  }

  stats(): CgroupStats {
    return toRuncStats(this.version === 2 ? statsV2(this.main()) : statsV1(this.paths));
  }

  destroy(): void {
    // A cgroup whose last task just exited can stay busy for a moment (the
    // task is still being released); runc retries 5 times, 10ms doubling.
    let left = Object.values(this.paths);
    let lastErr: unknown;
    let delay = 10;
    for (let i = 0; i < 5 && left.length > 0; i++) {
      if (i > 0) {
        sleepMs(delay);
        delay *= 2;
      }
      for (const dir of left) {
        try {
          removeCgroupDir(dir);
        } catch (err) {
          lastErr = err;
        }
      }
      left = left.filter((d) => fs.existsSync(d));
    }
    if (left.length > 0) throw sysError('cgroup', `failed to remove ${left.join(', ')}`, lastErr);
  }

  exists(): boolean {
    return dirExists(this.main());
  }
}

/** A manager for a new container: paths resolved from linux.cgroupsPath (see paths.ts). */
export function cgroupManager(opts: { cgroupsPath?: string; id: string }): CgroupManager {
  return new Manager(resolveCgroupPaths(opts));
}

/** Reopen a manager from paths recorded in a state file (runc's cgroup_paths). */
export function cgroupManagerFromPaths(paths: Record<string, string>): CgroupManager {
  const entries = Object.entries(paths);
  if (entries.length === 0) throw invalidArgument('cgroup_paths: no cgroup paths recorded');
  for (const [sub, dir] of entries) {
    // These come from a file on disk: only absolute, clean paths.
    if (!path.posix.isAbsolute(dir) || path.posix.normalize(dir) !== dir || dir === '/') {
      throw invalidArgument(`cgroup_paths[${JSON.stringify(sub)}]: invalid cgroup path ${JSON.stringify(dir)}`);
    }
  }
  return new Manager({ ...paths });
}
