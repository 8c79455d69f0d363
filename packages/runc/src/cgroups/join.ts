/**
 * Creating and joining cgroup v1 hierarchies. mkdir is all most controllers
 * need; cpuset and realtime cpu need values in place before a task can join.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LinuxResources } from '../spec/types.js';
import { errnoCode, readOptional, sleepMs, sysError, writeRaw } from './fsutil.js';
import type { CgroupLayout } from './paths.js';
import { setCpusetV1, setRtV1 } from './v1.js';

/** cgroup.procs refuses (EINVAL) a task still being forked; runc retries. */
export function writePid(dir: string, pid: number): void {
  for (let i = 0; ; i++) {
    try {
      writeRaw(dir, 'cgroup.procs', String(pid));
      return;
    } catch (err) {
      if (errnoCode(err) === 'EINVAL' && i < 4) {
        sleepMs(30);
        continue;
      }
      throw sysError('linux.cgroupsPath', `write ${pid} to ${path.join(dir, 'cgroup.procs')}`, err);
    }
  }
}

/** The ancestors of `dir` down to it, starting below the hierarchy's mount point. */
function levelsBelowMount(dir: string, mountPoint: string): string[] {
  const rel = path.posix.relative(mountPoint, dir);
  if (rel === '' || rel.startsWith('..')) return [];
  const out: string[] = [];
  let cur = mountPoint;
  for (const p of rel.split('/')) out.push((cur = path.posix.join(cur, p)));
  return out;
}

/**
 * A new cpuset cgroup starts with empty cpuset.cpus/mems, and the kernel
 * refuses tasks (ENOSPC) until both are set. Walk down from the mount point
 * and copy the parent's value into every level still empty.
 */
function ensureCpuset(dir: string, mountPoint: string, r?: LinuxResources): void {
  for (const level of levelsBelowMount(dir, mountPoint)) {
    mkdir(level);
    if (level === dir && r?.cpu) setCpusetV1(level, r.cpu); // wanted values first, as runc
    const parent = path.posix.dirname(level);
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if ((readOptional(level, f) ?? '').trim() !== '') continue;
      const v = (readOptional(parent, f) ?? '').trim();
      if (v === '') continue;
      try {
        writeRaw(level, f, v);
      } catch (err) {
        throw sysError('linux.cgroupsPath', `copy ${f} from ${parent} to ${level}`, err);
      }
    }
  }
}

function mkdir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw sysError('linux.cgroupsPath', `mkdir ${dir}`, err);
  }
}

/** mkdir -p every hierarchy's dir; see ensureCpuset and setRtV1 for why some need values. */
export function createV1(paths: Record<string, string>, layout: CgroupLayout, r?: LinuxResources): void {
  for (const [sub, dir] of Object.entries(paths)) {
    if (sub === 'cpuset') {
      const mount = layout.mounts.find((m) => m.version === 1 && m.controllers.includes('cpuset'));
      ensureCpuset(dir, mount?.mountPoint ?? path.posix.dirname(dir), r);
      continue;
    }
    mkdir(dir);
    // A SCHED_RR/FIFO task cannot join a group without realtime bandwidth.
    if (sub === 'cpu' && r?.cpu) setRtV1(dir, r.cpu);
  }
}
