/**
 * specconv: the one boundary where an OCI config.json becomes the flat launch
 * plan the native core executes. Pure apart from stat/readlink of the rootfs and
 * bind sources (injectable), so it is unit-tested without root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalidArgument } from '@berth/errors';
import type { Hook, Spec } from '../spec/types.js';
import type { NativePlan, PlanHook } from '../native/plan-types.js';
import { propagationFlags } from '../spec/mount-options.js';
import { planNamespaces, joinProcessNamespaces, type NamespacePlan } from './namespaces.js';
import { planMounts, type MountContext } from './mounts.js';
import { planDevices } from './devices.js';
import { planProcess } from './process.js';
import { rootfsParentToPrivatize } from './rootfs-parent.js';

export interface InitPlanInput {
  spec: Spec;
  bundle: string;
  cgroupPaths: Record<string, string>;
  cgroupMode: 'v1' | 'hybrid' | 'v2';
  /** The host's cgroup hierarchies in mountinfo order (MountContext.cgroupMounts). */
  cgroupMounts?: MountContext['cgroupMounts'];
  /** The host's /proc/self/mountinfo (read when absent), to find the rootfs' parent mount. */
  mountInfo?: string;
  fifoPath?: string;
  consoleSocket?: string;
  consoleFd?: number;
  noPivot: boolean;
  /** --no-new-keyring: keep the runtime's session keyring. */
  noNewKeyring?: boolean;
  /** The container id (names the session keyring). */
  id?: string;
  preserveFds: number;
  /** The state JSON given to createContainer/startContainer hooks, split around the pid. */
  hookState?: { prefix: string; suffix: string };
}

export interface BuiltPlan {
  plan: NativePlan;
  namespaces: NamespacePlan;
  warnings: string[];
  /** Debug-level notes (see planProcess). */
  notes: string[];
}

/** Absolute rootfs path; it must exist and be a directory. */
export function resolveRootfs(spec: Spec, bundle: string): string {
  if (!spec.root || typeof spec.root.path !== 'string' || spec.root.path === '')
    throw invalidArgument('root.path: the root filesystem path is required');
  const rootfs = path.resolve(bundle, spec.root.path);
  let st: fs.Stats;
  try {
    st = fs.statSync(rootfs);
  } catch {
    throw invalidArgument(`root.path: rootfs (${JSON.stringify(rootfs)}) does not exist`);
  }
  if (!st.isDirectory()) throw invalidArgument(`root.path: rootfs (${JSON.stringify(rootfs)}) is not a directory`);
  return fs.realpathSync(rootfs);
}

export function planHooks(hooks: Hook[] | undefined, name: string): PlanHook[] {
  return (hooks ?? []).map((h, i) => {
    const field = `hooks.${name}[${i}]`;
    if (typeof h.path !== 'string' || !path.isAbsolute(h.path)) throw invalidArgument(`${field}.path: must be an absolute path`);
    if (h.timeout !== undefined && (!Number.isInteger(h.timeout) || h.timeout <= 0))
      throw invalidArgument(`${field}.timeout: must be a positive number of seconds`);
    return { path: h.path, args: h.args ?? [h.path], env: h.env ?? [], timeout: h.timeout ?? 0 };
  });
}

/** Sysctls are allowed only for namespaced keys the container owns (runc's validator). */
function planSysctl(sysctl: Record<string, string> | undefined, ns: NamespacePlan): NativePlan['sysctl'] {
  const has = (t: 'ipc' | 'network' | 'uts') => ns.types.has(t);
  return Object.entries(sysctl ?? {}).map(([key, value]) => {
    const field = `linux.sysctl[${JSON.stringify(key)}]`;
    const ipc = /^kernel\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)$/.test(key) || key.startsWith('fs.mqueue.');
    if (ipc && !has('ipc')) throw invalidArgument(`${field}: sysctl ${JSON.stringify(key)} is not allowed as it conflicts with the OCI "ipc" namespace`);
    if (key.startsWith('net.') && !has('network')) throw invalidArgument(`${field}: sysctl ${JSON.stringify(key)} is not allowed in the hosts network namespace`);
    if ((key === 'kernel.domainname' || key === 'kernel.hostname') && !has('uts'))
      throw invalidArgument(`${field}: sysctl ${JSON.stringify(key)} is not allowed in the hosts uts namespace`);
    if (!ipc && !key.startsWith('net.') && key !== 'kernel.domainname' && key !== 'kernel.hostname')
      throw invalidArgument(`${field}: sysctl ${JSON.stringify(key)} is not in a separate kernel namespace`);
    if (key.includes('..') || key.includes('/')) throw invalidArgument(`${field}: invalid sysctl name`);
    return { path: `/proc/sys/${key.replaceAll('.', '/')}`, value: String(value) };
  });
}

function checkIdMappings(spec: Spec, ns: NamespacePlan): void {
  const linux = spec.linux ?? {};
  const hasMaps = (linux.uidMappings?.length ?? 0) > 0 || (linux.gidMappings?.length ?? 0) > 0;
  const newUser = (ns.cloneFlags & 0x10000000) !== 0;
  if (hasMaps && !ns.types.has('user'))
    throw invalidArgument('linux.uidMappings: user namespaces need to be enabled (add a "user" namespace) to use uid/gid mappings');
  if (newUser && (!linux.uidMappings?.length || !linux.gidMappings?.length))
    throw invalidArgument('linux.uidMappings: a new user namespace needs both uidMappings and gidMappings');
  for (const f of ['uidMappings', 'gidMappings'] as const) {
    (linux[f] ?? []).forEach((m, i) => {
      for (const k of ['containerID', 'hostID', 'size'] as const)
        if (!Number.isInteger(m[k]) || m[k] < 0) throw invalidArgument(`linux.${f}[${i}].${k}: must be a non-negative integer`);
      if (m.size === 0) throw invalidArgument(`linux.${f}[${i}].size: must be greater than zero`);
    });
  }
}

export function buildInitPlan(input: InitPlanInput): BuiltPlan {
  const { spec } = input;
  if (!spec.linux) throw invalidArgument('linux: the linux section is required for a Linux container');
  const linux = spec.linux;
  const rootfs = resolveRootfs(spec, input.bundle);
  const ns = planNamespaces(linux.namespaces);
  if (!ns.types.has('mount')) throw invalidArgument('linux.namespaces: a mount namespace is required (add {"type": "mount"})');
  checkIdMappings(spec, ns);
  if (spec.hostname && !ns.types.has('uts')) throw invalidArgument('hostname: unable to set hostname without a private UTS namespace');
  if (spec.domainname && !ns.types.has('uts')) throw invalidArgument('domainname: unable to set domainname without a private UTS namespace');
  const warnings: string[] = [];
  if (linux.mountLabel) warnings.push('linux.mountLabel: SELinux is not supported by berth-runc; the label is not applied');
  if (linux.intelRdt) throw invalidArgument('linux.intelRdt: Intel RDT is not supported by berth-runc');
  if (linux.personality) throw invalidArgument('linux.personality: not supported by berth-runc');
  if (linux.timeOffsets) throw invalidArgument('linux.timeOffsets: time namespaces are not supported by berth-runc');

  const proc = planProcess(spec.process, linux.seccomp);
  warnings.push(...proc.warnings);
  const newNamespaces = new Set([...ns.types].filter((t) => !ns.join.some((j) => j.name === t)));
  const newUser = newNamespaces.has('user');
  const mounts = planMounts(spec.mounts, {
    rootfs,
    bundle: input.bundle,
    newNamespaces,
    cgroupPaths: input.cgroupPaths,
    cgroupMode: input.cgroupMode,
    cgroupMounts: input.cgroupMounts,
    userNamespace: ns.types.has('user'),
    networkNamespace: ns.types.has('network'),
  });
  const devs = planDevices(linux.devices, { rootfs, mounts: spec.mounts, bindDevices: ns.types.has('user'), hasKcore: fs.existsSync('/proc/kcore') });
  const hooks = spec.hooks ?? {};
  const createContainerHooks = planHooks(hooks.createContainer, 'createContainer');
  const startContainerHooks = planHooks(hooks.startContainer, 'startContainer');
  planHooks(hooks.prestart, 'prestart');
  planHooks(hooks.createRuntime, 'createRuntime');
  planHooks(hooks.poststart, 'poststart');
  planHooks(hooks.poststop, 'poststop');

  const rootfsPropagation = propagationFlags(linux.rootfsPropagation ?? '', 'linux.rootfsPropagation');
  const plan: NativePlan = {
    joinNamespaces: ns.join.map(({ type, path: p }) => ({ type, path: p })),
    cloneFlags: ns.cloneFlags,
    usernsMaps: newUser,
    setgroupsAllowed: true,
    rootfs,
    rootfsPropagation,
    rootfsParentPrivate: rootfsParentToPrivatize(rootfs, rootfsPropagation, input.mountInfo),
    readonlyRootfs: spec.root?.readonly === true,
    noPivot: input.noPivot,
    mounts,
    devices: devs.devices,
    links: devs.links,
    maskedPaths: linux.maskedPaths ?? [],
    readonlyPaths: linux.readonlyPaths ?? [],
    sysctl: planSysctl(linux.sysctl, ns),
    hostname: spec.hostname,
    domainname: spec.domainname,
    sessionKeyring: input.noNewKeyring || !input.id ? undefined : `_ses.${input.id}`,
    // Always pause after the mounts: the parent applies linux.resources there,
    // then runs prestart/createRuntime hooks (runc's procHooks).
    parentHooks: true,
    createContainerHooks,
    startContainerHooks,
    hookStatePrefix: input.hookState?.prefix,
    // startContainer hooks run once `start` was called: the container is
    // "created" then (runc 1.1 reports the same status to them).
    startHookStatePrefix: input.hookState?.prefix.replace('"status":"creating"', '"status":"created"'),
    hookStateSuffix: input.hookState?.suffix,
    ...proc.plan,
    consoleSocket: input.consoleSocket,
    consoleFd: input.consoleFd,
    fifoPath: input.fifoPath,
    preserveFds: input.preserveFds,
  };
  return { plan, namespaces: ns, warnings, notes: proc.notes };
}

export interface ExecPlanInput {
  spec: Spec;
  initPid: number;
  process: Spec['process'];
  consoleSocket?: string;
  consoleFd?: number;
  preserveFds: number;
}

/** A process joining a running container: its namespaces, the container's seccomp. */
export function buildExecPlan(input: ExecPlanInput): BuiltPlan {
  const ns = planNamespaces(input.spec.linux?.namespaces, () => true);
  const proc = planProcess(input.process, input.spec.linux?.seccomp, 'process');
  const join = joinProcessNamespaces(input.initPid, ns.types);
  const plan: NativePlan = {
    joinNamespaces: join.map(({ type, path: p }) => ({ type, path: p })),
    cloneFlags: 0,
    usernsMaps: false,
    setgroupsAllowed: true,
    rootfsPropagation: 0,
    readonlyRootfs: false,
    noPivot: false,
    mounts: [],
    devices: [],
    links: [],
    maskedPaths: [],
    readonlyPaths: [],
    sysctl: [],
    parentHooks: false,
    createContainerHooks: [],
    startContainerHooks: [],
    ...proc.plan,
    consoleSocket: input.consoleSocket,
    consoleFd: input.consoleFd,
    preserveFds: input.preserveFds,
  };
  return { plan, namespaces: { ...ns, join }, warnings: proc.warnings, notes: proc.notes };
}
