/**
 * config.json mounts -> the plan's mount operations: resolves destinations inside
 * the rootfs, decides bind vs. filesystem mounts, expands `cgroup` mounts into
 * the per-hierarchy mounts a cgroup v1 or v2 host needs, and falls back to
 * binding /sys and /dev/mqueue when the container does not own the namespace
 * that mounting a fresh sysfs or mqueue requires (the kernel refuses with EPERM).
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '@berth/errors';
import type { Mount } from '../spec/types.js';
import type { PlanMount } from '../native/plan-types.js';
import { parseMountOptions, MS_BIND, MS_REC, MS_RDONLY, MS_REMOUNT, MS_NOSUID, MS_NODEV, MS_NOEXEC } from '../spec/mount-options.js';
import { secureJoin } from './securejoin.js';

export interface MountContext {
  rootfs: string;
  bundle: string;
  /** Namespace types the container gets new (not joined). */
  newNamespaces: Set<string>;
  /** Container cgroup directories: v1 subsystem -> dir, "" -> v2/unified dir. */
  cgroupPaths: Record<string, string>;
  cgroupMode: 'v1' | 'hybrid' | 'v2';
  /**
   * The host's cgroup v1 hierarchies in mountinfo order (see detectLayout).
   * Given, a `cgroup` mount copies them as runc does: same order, each named
   * after the host's mount point (so a co-mounted "cpu,cpuacct" stays one
   * directory, with "cpu" and "cpuacct" symlinks to it). Without it, one
   * directory per subsystem of cgroupPaths.
   */
  cgroupMounts?: readonly { version: 1 | 2; controllers: string[]; mountPoint: string }[];
  /** The container has a user namespace (new or joined). */
  userNamespace?: boolean;
  /** The container has a network namespace (new or joined): its own sysfs shows that namespace's interfaces. */
  networkNamespace?: boolean;
  /** stat of a bind source: 'dir', 'file', or null when missing. */
  statSource?: (p: string) => 'dir' | 'file' | null;
}

function hostStat(p: string): 'dir' | 'file' | null {
  try {
    return fs.statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

export function planMounts(mounts: Mount[] | undefined, ctx: MountContext): PlanMount[] {
  const out: PlanMount[] = [];
  (mounts ?? []).forEach((m, i) => out.push(...planMount(m, i, ctx)));
  return out;
}

function planMount(m: Mount, i: number, ctx: MountContext): PlanMount[] {
  const field = `mounts[${i}]`;
  if (typeof m.destination !== 'string' || m.destination === '')
    throw invalidArgument(`${field}.destination: must be a non-empty path`);
  const opts = parseMountOptions(m.options ?? []);
  const isBind = m.type === 'bind' || (opts.flags & MS_BIND) !== 0;
  const target = secureJoin(ctx.rootfs, m.destination);
  const stat = ctx.statSource ?? hostStat;

  if (m.type === 'cgroup' && !isBind) return planCgroupMount(target, opts.flags, i, ctx);

  if (isBind) {
    if (!m.source) throw invalidArgument(`${field}.source: a bind mount needs a source`);
    const source = path.resolve(ctx.bundle, m.source);
    const kind = stat(source);
    if (kind === null) throw invalidArgument(`${field}.source: bind mount source ${source} does not exist`);
    return [{ source, target, flags: opts.flags | MS_BIND, propagation: opts.propagation, bind: true, file: kind === 'file', origin: i }];
  }
  if (m.type === 'sysfs' && !ctx.newNamespaces.has('network') && (ctx.networkNamespace !== true || ctx.userNamespace === true)) {
    // sysfs may only be mounted by the owner of the network namespace; a joined one (a
    // netns path, as docker's containers have) belongs to real root, who may mount a
    // fresh sysfs for it, as runc does: binding the host's /sys would show the host's
    // interfaces in /sys/class/net.
    return [{ source: '/sys', target, flags: opts.flags | MS_BIND | MS_REC, propagation: opts.propagation, bind: true, file: false, origin: i }];
  }
  // A fresh mqueue shows the ipc namespace the container is in (its own, a
  // joined one, or the host's), and as real root mounting it is allowed in
  // all three, as runc 1.1 always does. Only inside a user namespace that does
  // not own that ipc namespace does the kernel refuse (EPERM): then the host's
  // /dev/mqueue is bound instead.
  if (m.type === 'mqueue' && !ctx.newNamespaces.has('ipc') && ctx.userNamespace === true) {
    return [{ source: '/dev/mqueue', target, flags: opts.flags | MS_BIND | MS_REC, propagation: opts.propagation, bind: true, file: false, origin: i }];
  }
  if (!m.type) throw invalidArgument(`${field}.type: a non-bind mount needs a filesystem type`);
  return [
    {
      source: m.source ?? m.type,
      target,
      fstype: m.type,
      data: opts.data === '' ? undefined : opts.data,
      flags: opts.flags,
      propagation: opts.propagation,
      bind: false,
      file: false,
      origin: i,
    },
  ];
}

/**
 * A `cgroup` mount. v2: one cgroup2 mount (needs a cgroup namespace of our own,
 * else the container's own cgroup directory is bound). v1: a tmpfs holding one
 * mount per hierarchy; each is a fresh cgroup mount when the container has a
 * cgroup namespace (the kernel roots it at the container's cgroup), else a bind
 * of the container's cgroup directory. The tmpfs is made read-only last.
 */
function planCgroupMount(target: string, flags: number, origin: number, ctx: MountContext): PlanMount[] {
  const ownNs = ctx.newNamespaces.has('cgroup');
  const lockFlags = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (ctx.cgroupMode === 'v2') {
    const dir = ctx.cgroupPaths[''];
    if (ownNs || !dir) return [{ source: 'cgroup', target, fstype: 'cgroup2', flags, propagation: [], bind: false, file: false, origin }];
    return [{ source: dir, target, flags: flags | MS_BIND, propagation: [], bind: true, file: false, origin }];
  }
  const out: PlanMount[] = [
    { source: 'tmpfs', target, fstype: 'tmpfs', data: 'mode=755', flags: lockFlags, propagation: [], bind: false, file: false, origin },
  ];
  for (const h of cgroupHierarchies(ctx)) {
    const sub = path.join(target, h.name);
    if (ownNs) {
      // A fresh mount inside the cgroup namespace is rooted at the container's cgroup.
      const named = h.controllers.length === 1 && h.controllers[0]!.startsWith('name=');
      const source = named ? h.controllers[0]!.slice(5) : 'cgroup';
      out.push({ source, target: sub, fstype: 'cgroup', data: h.controllers.join(','), flags, propagation: [], bind: false, file: false, origin });
    } else {
      out.push({ source: h.dir, target: sub, flags: flags | MS_BIND, propagation: [], bind: true, file: false, origin });
    }
  }
  for (const h of cgroupHierarchies(ctx)) {
    for (const c of h.controllers) {
      if (c.startsWith('name=') || c === h.name) continue;
      out.push({ source: h.name, target: path.join(target, c), flags: 0, propagation: [], bind: false, file: false, symlink: true, origin });
    }
  }
  if (flags & MS_RDONLY) {
    out.push({ source: 'tmpfs', target, fstype: 'tmpfs', flags: MS_REMOUNT | MS_RDONLY | lockFlags, propagation: [], bind: false, file: false, origin });
  }
  return out;
}

interface Hierarchy {
  /** Directory name under the cgroup mount. */
  name: string;
  /** Controllers of the hierarchy ("name=x" for named ones). */
  controllers: string[];
  /** The container's cgroup in it (on the host). */
  dir: string;
}

/** The v1 hierarchies to show, in the host's order. The hybrid unified one is not shown, as with runc. */
function cgroupHierarchies(ctx: MountContext): Hierarchy[] {
  if (!ctx.cgroupMounts) {
    return Object.entries(ctx.cgroupPaths)
      .filter(([subsystem]) => subsystem !== '')
      .map(([subsystem, dir]) => ({ name: subsystem.replace(/^name=/, ''), controllers: [subsystem], dir }));
  }
  const out: Hierarchy[] = [];
  for (const m of ctx.cgroupMounts) {
    if (m.version !== 1) continue;
    // A hierarchy the container was not put in (not one runc manages) is not shown.
    const managed = m.controllers.find((c) => ctx.cgroupPaths[c] !== undefined);
    if (managed === undefined) continue;
    const name = path.posix.basename(m.mountPoint);
    if (out.some((h) => h.name === name)) continue;
    out.push({ name, controllers: m.controllers, dir: ctx.cgroupPaths[managed]! });
  }
  return out;
}
