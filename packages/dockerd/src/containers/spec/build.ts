/**
 * A container's OCI spec from its record (docker's Config and HostConfig, the
 * image's defaults already merged at create): the process (args, env with
 * docker's PATH/HOSTNAME/TERM, user, cwd, capabilities, rlimits, terminal),
 * namespaces, mounts, masked paths, resources, seccomp. Pure apart from what
 * the caller resolved (user, seccomp) and the host facts it is given.
 */
import type { ContainerRecord } from '../model.js';
import { defaultPath, defaultShmSize, maskedPaths, readonlyPaths, standardMounts } from './defaults.js';
import type { UserMounts } from './mounts.js';
import type { LinuxDevice, Mount, Seccomp, Spec } from './oci.js';
import { linuxResources, rlimits } from './resources.js';
import type { ResolvedUser } from './user.js';

export interface SpecInputs {
  record: ContainerRecord;
  user: ResolvedUser;
  capabilities: string[];
  seccomp: Seccomp | undefined;
  noNewPrivileges: boolean;
  userMounts: UserMounts;
  cgroupsPath: string;
  /** The init binary mounted at /sbin/docker-init for --init. */
  initPath: string | undefined;
  /** --privileged: the host's devices. */
  hostDevices: LinuxDevice[];
  /** A network namespace berthd made and wired to the bridge; absent: the runtime makes a new one. */
  netnsPath?: string | undefined;
}

/** docker's CreateDaemonEnvironment then the container's own Env over it; HOME from the user when still unset (runc's rule). */
export function processEnv(hostname: string, tty: boolean, env: string[], home = '/'): string[] {
  const out = [defaultPath, `HOSTNAME=${hostname}`, ...(tty ? ['TERM=xterm'] : [])];
  for (const e of env) {
    const key = e.split('=', 1)[0] ?? '';
    const i = out.findIndex((x) => x.split('=', 1)[0] === key);
    if (!e.includes('=')) continue; // "FOO" alone: docker drops unset variables
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  if (!out.some((e) => e.startsWith('HOME='))) out.push(`HOME=${home}`);
  return out;
}

export const initMountPath = '/sbin/docker-init';

export function buildSpec(i: SpecInputs): Spec {
  const { record: rec } = i;
  const cfg = rec.config;
  const hc = rec.hostConfig;
  const privileged = hc.Privileged;
  const args = [rec.path, ...rec.args];
  const init = hc.Init === true && i.initPath !== undefined;
  const namespaces: NonNullable<Spec['linux']>['namespaces'] = [{ type: 'mount' }];
  if (hc.PidMode !== 'host') namespaces.push({ type: 'pid' });
  if (hc.IpcMode !== 'host') namespaces.push({ type: 'ipc' });
  if (hc.UTSMode !== 'host') namespaces.push({ type: 'uts' });
  if (hc.NetworkMode !== 'host') namespaces.push(i.netnsPath ? { type: 'network', path: i.netnsPath } : { type: 'network' });
  const fileMounts: Mount[] = [
    { destination: '/etc/resolv.conf', type: 'bind', source: rec.resolvConfPath, options: ['rbind', 'rprivate'] },
    { destination: '/etc/hostname', type: 'bind', source: rec.hostnamePath, options: ['rbind', 'rprivate'] },
    { destination: '/etc/hosts', type: 'bind', source: rec.hostsPath, options: ['rbind', 'rprivate'] },
  ].filter((m) => !i.userMounts.oci.some((u) => u.destination === m.destination));
  const initMount: Mount[] = init && i.initPath ? [{ destination: initMountPath, type: 'bind', source: i.initPath, options: ['bind', 'ro'] }] : [];
  const std = standardMounts(privileged, hc.ShmSize > 0 ? hc.ShmSize : defaultShmSize).filter((m) => !i.userMounts.oci.some((u) => u.destination === m.destination));
  const consoleSize = Array.isArray(hc.ConsoleSize) && typeof hc.ConsoleSize[0] === 'number' && typeof hc.ConsoleSize[1] === 'number' && hc.ConsoleSize[0] > 0
    ? { height: hc.ConsoleSize[0], width: hc.ConsoleSize[1] }
    : undefined;
  const spec: Spec = {
    ociVersion: '1.1.0',
    process: {
      terminal: cfg.Tty,
      ...(cfg.Tty && consoleSize ? { consoleSize } : {}),
      user: { uid: i.user.uid, gid: i.user.gid, additionalGids: i.user.additionalGids },
      args: init ? [initMountPath, '--', ...args] : args,
      env: processEnv(cfg.Hostname, cfg.Tty, cfg.Env, i.user.home),
      cwd: cfg.WorkingDir || '/',
      capabilities: { bounding: i.capabilities, effective: i.capabilities, permitted: i.capabilities },
      rlimits: rlimits(hc),
      noNewPrivileges: i.noNewPrivileges,
      oomScoreAdj: hc.OomScoreAdj ?? 0,
    },
    root: { path: 'rootfs', readonly: hc.ReadonlyRootfs },
    hostname: cfg.Hostname,
    ...(cfg.Domainname ? { domainname: cfg.Domainname } : {}),
    mounts: [...std, ...fileMounts, ...initMount, ...i.userMounts.oci],
    linux: {
      namespaces,
      cgroupsPath: i.cgroupsPath,
      resources: linuxResources(hc, privileged ? [{ allow: true, access: 'rwm' }] : undefined),
      ...(hc.Sysctls && Object.keys(hc.Sysctls).length > 0 ? { sysctl: hc.Sysctls } : {}),
      ...(privileged ? { devices: i.hostDevices } : { maskedPaths: hc.MaskedPaths ?? maskedPaths, readonlyPaths: hc.ReadonlyPaths ?? readonlyPaths }),
      ...(i.seccomp && !privileged ? { seccomp: i.seccomp } : {}),
    },
  };
  return spec;
}
