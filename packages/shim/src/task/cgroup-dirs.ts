/**
 * The cgroup directories of a process, from /proc/<pid>/cgroup and the
 * cgroup mounts in /proc/self/mountinfo: whichever runtime made the cgroups
 * (the library or a runc binary), the kernel says where the container is.
 * Read while init is alive (Create) and kept for OOM watching and Stats.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CgroupDirs {
  /** cgroup v1: controller -> directory ("memory" -> /sys/fs/cgroup/memory/<path>). */
  v1: Record<string, string>;
  /** The unified (v2) directory, on a v2 or hybrid host. */
  v2?: string;
}

interface CgroupMount {
  root: string;
  point: string;
  fstype: string;
  superOptions: string[];
}

function cgroupMounts(): CgroupMount[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => {
      const [pre = '', post = ''] = line.split(' - ');
      const f = pre.split(' ');
      const [fstype = '', , options = ''] = post.split(' ');
      return { root: f[3] ?? '', point: f[4] ?? '', fstype, superOptions: options.split(',') };
    })
    .filter((m) => m.fstype === 'cgroup' || m.fstype === 'cgroup2');
}

export function cgroupDirsOf(pid: number): CgroupDirs | undefined {
  let text: string;
  let mounts: CgroupMount[];
  try {
    text = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    mounts = cgroupMounts();
  } catch {
    return undefined;
  }
  const out: CgroupDirs = { v1: {} };
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const rel = line.slice(second + 1);
    if (controllers === '') {
      const m = mounts.find((x) => x.fstype === 'cgroup2');
      if (m) out.v2 = path.join(m.point, path.relative(m.root, rel));
      continue;
    }
    for (const c of controllers.split(',')) {
      const m = mounts.find((x) => x.fstype === 'cgroup' && x.superOptions.includes(c));
      if (m) out.v1[c] = path.join(m.point, path.relative(m.root, rel));
    }
  }
  return out;
}

/** memory.oom_control (v1) or memory.events (v2): where the kernel counts OOM kills. */
export function oomCounterFile(dirs: CgroupDirs): string | undefined {
  if (dirs.v1.memory !== undefined) return path.join(dirs.v1.memory, 'memory.oom_control');
  if (dirs.v2 !== undefined) return path.join(dirs.v2, 'memory.events');
  return undefined;
}
