/**
 * The config.json that `runc spec` and `runc spec --rootless` write (runc
 * 1.1.5), as Spec values, plus formatSpec (spec-json.ts) for the exact bytes.
 *
 * What runc does that is easy to miss:
 * - The file has no trailing newline (json.MarshalIndent output written as is)
 *   and is created with mode 0666 before the umask (SPEC_FILE_MODE).
 * - ociVersion is "1.0.2-dev", the version of the runtime-spec module runc
 *   1.1.5 vendors, not a released spec version.
 * - --rootless takes the default and: drops the network namespace and adds a
 *   user namespace last; maps container root to the *effective* uid/gid of
 *   the caller; turns the /sys sysfs mount into an rbind of the host's /sys;
 *   strips every uid=/gid= mount option (so /dev/pts loses gid=5); and removes
 *   linux.resources entirely.
 */
import type { Spec } from './types.js';
import { OCI_VERSION } from './version.js';

export { formatSpec } from './spec-json.js';

/** The permission bits runc passes to os.WriteFile for config.json. */
export const SPEC_FILE_MODE = 0o666;

/** What `runc spec` writes. A new object on every call; callers may mutate it. */
export function defaultSpec(): Spec {
  const caps = (): string[] => ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      // runc leaves "inheritable" out, so the ambient set it lists never
      // actually takes effect (ambient needs inheritable too).
      capabilities: { bounding: caps(), effective: caps(), permitted: caps(), ambient: caps() },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'runc',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
      },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** path.Clean for the one comparison ToRootless makes ("/sys/" and "//sys" are /sys too). */
function cleanAbs(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return (p.startsWith('/') ? '/' : '') + out.join('/') || '.';
}

/**
 * runc's --rootless rewrite of a spec (a new object; the input is untouched).
 * ids default to this process's effective uid and gid, as runc uses.
 */
export function toRootless(spec: Spec, ids?: { uid: number; gid: number }): Spec {
  const uid = ids?.uid ?? process.geteuid?.() ?? 0;
  const gid = ids?.gid ?? process.getegid?.() ?? 0;
  const out = structuredClone(spec);
  const linux = (out.linux ??= {});
  linux.namespaces = [
    ...(linux.namespaces ?? []).filter((ns) => ns.type !== 'network' && ns.type !== 'user'),
    { type: 'user' },
  ];
  linux.uidMappings = [{ containerID: 0, hostID: uid, size: 1 }];
  linux.gidMappings = [{ containerID: 0, hostID: gid, size: 1 }];
  if (out.mounts) {
    out.mounts = out.mounts.map((m) => {
      if (cleanAbs(m.destination) === '/sys') {
        return {
          destination: '/sys',
          type: 'none',
          source: '/sys',
          options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
        };
      }
      const options = m.options?.filter((o) => !o.startsWith('gid=') && !o.startsWith('uid='));
      const copy = { ...m };
      // Go rebuilds the slice from scratch: all-filtered means nil, i.e. omitted.
      if (options && options.length > 0) copy.options = options;
      else delete copy.options;
      return copy;
    });
  }
  delete linux.resources;
  return out;
}

/** What `runc spec --rootless` writes when run with the given (default: our effective) ids. */
export function rootlessSpec(ids?: { uid: number; gid: number }): Spec {
  return toRootless(defaultSpec(), ids);
}
