/**
 * Docker's defaults for a container's OCI spec (moby's oci.DefaultSpec and
 * caps.DefaultCapabilities, as facts): the capability set, the /proc and /sys
 * paths masked or made read-only, the standard mounts and the device rules.
 */
import type { LinuxDeviceCgroup, Mount } from './oci.js';

export const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const defaultCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export const maskedPaths = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

export const readonlyPaths = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const defaultShmSize = 64 * 1024 * 1024;

export function standardMounts(privileged: boolean, shmSize: number): Mount[] {
  const ro = privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', ...ro] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
}

const allow = (type: string, major: number | null, minor: number | null): LinuxDeviceCgroup => ({ allow: true, type, major, minor, access: 'rwm' });

/** Deny everything, then the devices every container gets (runc's default /dev plus mknod of anything). */
export function defaultDeviceRules(): LinuxDeviceCgroup[] {
  return [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', major: null, minor: null, access: 'm' },
    { allow: true, type: 'b', major: null, minor: null, access: 'm' },
    allow('c', 1, 3), allow('c', 1, 8), allow('c', 1, 7), allow('c', 5, 0), allow('c', 1, 5), allow('c', 1, 9),
    allow('c', 5, 1), allow('c', 136, null), allow('c', 5, 2), allow('c', 10, 200),
  ];
}
