/**
 * The cgroup limits a container gets: config's linux.resources plus, as runc's
 * specconv adds them, an allow rule for every device in linux.devices and the
 * default device rules (null, zero, full, tty, random, urandom, pts, ptmx, tun,
 * and mknod of any device).
 */
import type { LinuxDeviceCgroup, LinuxResources, Spec } from '../spec/types.js';
import { RUNC_DEFAULT_ALLOWED_DEVICES } from '../cgroups/index.js';

export function containerResources(spec: Spec): LinuxResources {
  const resources = spec.linux?.resources ?? {};
  const configured: LinuxDeviceCgroup[] = (spec.linux?.devices ?? []).map((d) => ({
    allow: true,
    type: d.type === 'u' ? 'c' : d.type,
    major: d.major ?? null,
    minor: d.minor ?? null,
    access: 'rwm',
  }));
  return { ...resources, devices: [...(resources.devices ?? []), ...configured, ...RUNC_DEFAULT_ALLOWED_DEVICES] };
}
