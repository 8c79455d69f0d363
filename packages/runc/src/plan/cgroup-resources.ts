/**
 * The cgroup limits a container gets: config's linux.resources plus, as runc's
 * specconv appends them, the default device rules (null, zero, full, tty,
 * random, urandom, pts, ptmx, tun, and mknod of any device).
 *
 * Like runc 1.1, a device listed in linux.devices gets a node but no implicit
 * cgroup rule: access to it is what linux.resources.devices says (containerd
 * and dockerd add the allow rule themselves), so a config can create a node
 * and still deny it. One deliberate difference: runc drops the default rule of
 * a default device the config redefines (e.g. /dev/null), which leaves the
 * container unable to open /dev/null and makes runc itself fail ("error
 * reopening /dev/null inside container: operation not permitted"); we always
 * keep the default rules.
 */
import type { LinuxResources, Spec } from '../spec/types.js';
import { RUNC_DEFAULT_ALLOWED_DEVICES } from '../cgroups/index.js';

export function containerResources(spec: Spec): LinuxResources {
  const resources = spec.linux?.resources ?? {};
  return { ...resources, devices: [...(resources.devices ?? []), ...RUNC_DEFAULT_ALLOWED_DEVICES] };
}
