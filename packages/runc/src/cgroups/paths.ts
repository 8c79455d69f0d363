/**
 * Where a container's cgroups live, resolved the way runc 1.1's cgroupfs
 * driver does it. Mounts come from /proc/self/mountinfo (never hard-coded:
 * hierarchies may be co-mounted, e.g. "cpu,cpuacct", or mounted elsewhere),
 * and the runtime's own cgroups from /proc/self/cgroup.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { failedPrecondition, invalidArgument } from '@berth/errors';

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

export interface CgroupMount {
  version: 1 | 2;
  /** v1: controllers plus "name=..." of the hierarchy; v2: []. */
  controllers: string[];
  /** Path of the mount's root inside the hierarchy (mountinfo field 4). */
  root: string;
  mountPoint: string;
}

export interface CgroupLayout {
  mode: CgroupMode;
  mounts: CgroupMount[];
  /** /proc/self/cgroup: controller (or "name=x", or "" for v2) -> path. */
  own: Map<string, string>;
}

/** runc's v1 subsystem order; "name=systemd" is joined, never configured. */
export const V1_SUBSYSTEMS = [
  'cpuset', 'devices', 'memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'hugetlb',
  'net_cls', 'net_prio', 'perf_event', 'freezer', 'rdma', 'name=systemd',
] as const;

const KNOWN_CONTROLLERS = new Set<string>([...V1_SUBSYSTEMS, 'misc']);

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** The cgroup and cgroup2 mounts listed in a mountinfo text, in order. */
export function parseMountInfo(text: string, controllerNames = KNOWN_CONTROLLERS): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    // id parent maj:min root mountpoint opts [optional...] - fstype source superopts
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    const fsType = post[0];
    if ((fsType !== 'cgroup' && fsType !== 'cgroup2') || pre.length < 5) continue;
    const root = unescapeMountField(pre[3]!);
    const mountPoint = unescapeMountField(pre[4]!);
    if (fsType === 'cgroup2') {
      mounts.push({ version: 2, controllers: [], root, mountPoint });
      continue;
    }
    const controllers = (post[2] ?? '')
      .split(',')
      .filter((o) => o.startsWith('name=') || controllerNames.has(o));
    mounts.push({ version: 1, controllers, root, mountPoint });
  }
  return mounts;
}

/** /proc/<pid>/cgroup: "hierarchy-id:controller,list:/path" per line. */
export function parseProcCgroup(text: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const ctrls = line.slice(first + 1, second);
    const p = line.slice(second + 1);
    if (ctrls === '') own.set('', p);
    else for (const c of ctrls.split(',')) own.set(c, p);
  }
  return own;
}

/**
 * v2 if a cgroup2 mount sits at /sys/fs/cgroup (runc's test) or is the only
 * kind mounted; hybrid if v1 hierarchies coexist with a cgroup2 mount.
 */
export function detectMode(mounts: CgroupMount[]): CgroupMode {
  const v2 = mounts.filter((m) => m.version === 2);
  const v1 = mounts.filter((m) => m.version === 1 && m.controllers.length > 0);
  if (v2.some((m) => m.mountPoint === '/sys/fs/cgroup')) return 'v2';
  if (v1.length === 0 && v2.length > 0) return 'v2';
  return v2.length > 0 ? 'hybrid' : 'v1';
}

function controllerNamesFromProc(): Set<string> {
  try {
    const names = fs
      .readFileSync('/proc/cgroups', 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t')[0]!);
    return new Set([...names, ...KNOWN_CONTROLLERS]);
  } catch {
    return KNOWN_CONTROLLERS;
  }
}

/** The machine's cgroup layout as seen by this process. */
export function detectLayout(): CgroupLayout {
  let mountinfo: string;
  let cgroup: string;
  try {
    mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    cgroup = fs.readFileSync('/proc/self/cgroup', 'utf8');
  } catch (err) {
    throw failedPrecondition('cgroup: cannot read /proc/self/mountinfo or /proc/self/cgroup', err);
  }
  const mounts = parseMountInfo(mountinfo, controllerNamesFromProc());
  if (mounts.length === 0) throw failedPrecondition('cgroup: no cgroup filesystem is mounted');
  return { mode: detectMode(mounts), mounts, own: parseProcCgroup(cgroup) };
}

let cachedMode: CgroupMode | undefined;
/** This host's mode (mounts do not change under a running runtime). */
export function cgroupMode(): CgroupMode {
  cachedMode ??= detectLayout().mode;
  return cachedMode;
}

/**
 * runc's utils.CleanPath: lexically clean; a relative path can never climb
 * above its base ("../../x" -> "x"), an absolute one never above "/".
 */
export function cleanCgroupPath(p: string): string {
  if (p === '') return '';
  if (path.posix.isAbsolute(p)) return path.posix.normalize(p).replace(/(.)\/$/, '$1');
  const abs = path.posix.resolve('/', p);
  return abs === '/' ? '.' : abs.slice(1);
}

/** The first mount of a v1 hierarchy that carries `subsystem`. */
export function findV1Mount(layout: CgroupLayout, subsystem: string): CgroupMount | undefined {
  return layout.mounts.find((m) => m.version === 1 && m.controllers.includes(subsystem));
}

export function findV2Mount(layout: CgroupLayout): CgroupMount | undefined {
  return layout.mounts.find((m) => m.version === 2);
}

/** Where `cgroupPath` (as seen in /proc/self/cgroup) is under a mount. */
function underMount(m: CgroupMount, cgroupPath: string): string {
  const rel = path.posix.relative(m.root, cgroupPath);
  // A cgroup outside the mount's root (another cgroup namespace) is not
  // reachable through this mount; fall back to the mount root like the kernel
  // shows it ("/" for such processes inside a cgroupns).
  return rel.startsWith('..') ? m.mountPoint : path.posix.join(m.mountPoint, rel);
}

function innerPath(cgroupsPath: string | undefined, id: string): string {
  const field = cgroupsPath ? 'linux.cgroupsPath' : 'container id';
  // Like runc's specconv: an empty cgroupsPath means cgroup Name = id with no
  // Parent, i.e. the relative path "<id>".
  const inner = cleanCgroupPath(cgroupsPath ? cgroupsPath : id);
  if (inner === '' || inner === '.' || inner === '/') {
    // runc would put the container into the runtime's own (or the root)
    // cgroup and later try to rmdir it; refuse instead.
    throw invalidArgument(`${field}: ${JSON.stringify(cgroupsPath ?? id)} does not name a cgroup below the root or the runtime's own cgroup`);
  }
  return inner;
}

/**
 * Resolve every hierarchy's directory for a container:
 * - absolute cgroupsPath: <mount point>/<path> in each hierarchy;
 * - relative: below the runtime's own cgroup of that hierarchy (v1 and the
 *   hybrid unified hierarchy), or below the *parent* of its own cgroup on pure
 *   v2 (runc 1.1: the own cgroup most likely has processes, and the
 *   no-internal-processes rule would stop enabling controllers there);
 * - empty: the relative path "<id>".
 * v1 result: subsystem -> dir for each mounted subsystem (plus "" for the
 * cgroup2 mount in hybrid mode); v2 result: "" -> dir.
 */
export function resolveCgroupPaths(
  opts: { cgroupsPath?: string; id: string },
  layout: CgroupLayout = detectLayout(),
): Record<string, string> {
  const inner = innerPath(opts.cgroupsPath, opts.id);
  const absolute = path.posix.isAbsolute(inner);
  const at = (m: CgroupMount, ownPath: string | undefined): string =>
    absolute ? path.posix.join(m.mountPoint, inner) : path.posix.join(underMount(m, ownPath ?? '/'), inner);

  if (layout.mode === 'v2') {
    const m = findV2Mount(layout);
    if (!m) throw failedPrecondition('cgroup: no cgroup2 mount found');
    const own = layout.own.get('') ?? '/';
    return { '': at(m, path.posix.dirname(own)) };
  }
  const paths: Record<string, string> = {};
  for (const sub of V1_SUBSYSTEMS) {
    const m = findV1Mount(layout, sub);
    if (!m) {
      // Without the devices controller a container could open any device
      // node; runc treats its absence as fatal, and so do we.
      if (sub === 'devices') throw failedPrecondition('cgroup: the devices cgroup controller is not mounted');
      continue;
    }
    paths[sub] = at(m, layout.own.get(sub));
  }
  if (layout.mode === 'hybrid') {
    const m = findV2Mount(layout);
    if (m) paths[''] = at(m, layout.own.get(''));
  }
  return paths;
}
