/**
 * The create request as docker reads it: Config with defaults, HostConfig with
 * defaults and docker's 400s, then merged with the image's config the way
 * moby's merge() does (user values win; image Env keys the user did not set
 * are appended; the image's Cmd only when the user gave neither Cmd nor
 * Entrypoint).
 */
import { invalidArgument, notImplemented } from '@berth/errors';
import fs from 'node:fs';
import type { ContainerConfig, HostConfig, RestartPolicy } from './model.js';
import { defaultShmSize, maskedPaths, readonlyPaths } from './spec/defaults.js';
import { checkPortBindings } from '../network/ports.js';

/** A unified (v2-only) cgroup hierarchy: docker's default cgroup namespace mode is private there, host on v1. */
const cgroupV2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');

type Json = Record<string, unknown>;

/** Go encodes a map with its keys sorted; the records keep docker's map fields that way so every reader sees dockerd's order. */
export function sortedKeys<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const sortedOpt = <T>(m: Record<string, T> | null | undefined): Record<string, T> | undefined => (m ? sortedKeys(m) : undefined);

const strList = (v: unknown): string[] | null => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const bool = (v: unknown): boolean => v === true;
const record = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' ? Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, String(x)])) : {};

export function configFromBody(body: Json): ContainerConfig {
  const stopTimeout = body.StopTimeout;
  return {
    Hostname: str(body.Hostname),
    Domainname: str(body.Domainname),
    User: str(body.User),
    AttachStdin: bool(body.AttachStdin),
    AttachStdout: bool(body.AttachStdout),
    AttachStderr: bool(body.AttachStderr),
    ...(body.ExposedPorts && typeof body.ExposedPorts === 'object' ? { ExposedPorts: body.ExposedPorts as ContainerConfig['ExposedPorts'] } : {}),
    Tty: bool(body.Tty),
    OpenStdin: bool(body.OpenStdin),
    StdinOnce: bool(body.StdinOnce),
    Env: strList(body.Env) ?? [],
    Cmd: strList(body.Cmd),
    ...(body.Healthcheck ? { Healthcheck: body.Healthcheck } : {}),
    Image: str(body.Image),
    Volumes: body.Volumes && typeof body.Volumes === 'object' ? (body.Volumes as ContainerConfig['Volumes']) : null,
    WorkingDir: str(body.WorkingDir),
    Entrypoint: strList(body.Entrypoint),
    OnBuild: strList(body.OnBuild),
    Labels: record(body.Labels),
    ...(str(body.StopSignal) ? { StopSignal: str(body.StopSignal) } : {}),
    ...(typeof stopTimeout === 'number' ? { StopTimeout: stopTimeout } : {}),
  };
}

const policies = new Set(['', 'no', 'always', 'on-failure', 'unless-stopped']);

function restartPolicy(v: unknown): RestartPolicy {
  const p = (v ?? {}) as Json;
  const name = str(p.Name);
  const max = num(p.MaximumRetryCount);
  if (!policies.has(name)) throw invalidArgument(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (max !== 0 && name !== 'on-failure') throw invalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (max < 0) throw invalidArgument('invalid restart policy: maximum retry count cannot be negative');
  return { Name: name === '' ? 'no' : (name as RestartPolicy['Name']), MaximumRetryCount: max };
}

function networkMode(v: unknown): string {
  const mode = str(v);
  if (mode === '' || mode === 'default' || mode === 'bridge') return 'bridge';
  if (mode === 'none' || mode === 'host') return mode;
  if (mode.startsWith('container:')) {
    if (mode === 'container:') throw invalidArgument('Invalid network mode: invalid container format container:<name|id>');
    return mode;
  }
  // a network name or ID: resolved against the networks at create (network/create-endpoints.ts)
  return mode;
}

export function hostConfigFromBody(v: unknown): HostConfig {
  const h = (v && typeof v === 'object' ? v : {}) as Json;
  const log = (h.LogConfig ?? {}) as Json;
  const logType = str(log.Type) || 'json-file';
  if (logType !== 'json-file' && logType !== 'none') throw invalidArgument(`failed to create logger: logger: no log driver named '${logType}' is registered`);
  const hc: HostConfig = {
    ...h,
    Binds: strList(h.Binds),
    ...(Array.isArray(h.Mounts) ? { Mounts: h.Mounts as HostConfig['Mounts'] } : {}),
    ...(h.Tmpfs && typeof h.Tmpfs === 'object' ? { Tmpfs: record(h.Tmpfs) } : {}),
    NetworkMode: networkMode(h.NetworkMode),
    RestartPolicy: restartPolicy(h.RestartPolicy),
    AutoRemove: bool(h.AutoRemove),
    LogConfig: { Type: logType, Config: record(log.Config) },
    ReadonlyRootfs: bool(h.ReadonlyRootfs),
    Privileged: bool(h.Privileged),
    CapAdd: strList(h.CapAdd),
    CapDrop: strList(h.CapDrop),
    SecurityOpt: strList(h.SecurityOpt),
    Memory: num(h.Memory),
    MemorySwap: num(h.MemorySwap),
    MemoryReservation: num(h.MemoryReservation),
    NanoCpus: num(h.NanoCpus),
    CpuShares: num(h.CpuShares),
    CpuPeriod: num(h.CpuPeriod),
    CpuQuota: num(h.CpuQuota),
    CpusetCpus: str(h.CpusetCpus),
    CpusetMems: str(h.CpusetMems),
    // dockerd keeps "no limit" (0 or -1) as null
    PidsLimit: typeof h.PidsLimit === 'number' && h.PidsLimit > 0 ? h.PidsLimit : null,
    BlkioWeight: num(h.BlkioWeight),
    Ulimits: Array.isArray(h.Ulimits) ? (h.Ulimits as HostConfig['Ulimits']) : null,
    ...(typeof h.Init === 'boolean' ? { Init: h.Init } : {}),
    ShmSize: num(h.ShmSize) || defaultShmSize,
    Runtime: str(h.Runtime) || 'runc',
    CgroupnsMode: str(h.CgroupnsMode) || (cgroupV2 ? 'private' : 'host'),
    MemorySwappiness: typeof h.MemorySwappiness === 'number' && h.MemorySwappiness >= 0 ? h.MemorySwappiness : null,
    PidMode: str(h.PidMode),
    IpcMode: str(h.IpcMode) || 'private',
    UTSMode: str(h.UTSMode),
  };
  // dockerd records the paths it masks (none for --privileged)
  if (!hc.Privileged) {
    hc.MaskedPaths ??= [...maskedPaths];
    hc.ReadonlyPaths ??= [...readonlyPaths];
  }
  const maps = hc as Record<string, unknown>;
  for (const key of ['PortBindings', 'Tmpfs', 'Sysctls', 'StorageOpt']) {
    const m = sortedOpt(maps[key] as Record<string, unknown> | null | undefined);
    if (m) maps[key] = m;
  }
  hc.LogConfig.Config = sortedKeys(hc.LogConfig.Config);
  checkPortBindings(hc.PortBindings as Parameters<typeof checkPortBindings>[0]);
  if (hc.AutoRemove && hc.RestartPolicy.Name !== 'no') throw invalidArgument("can't create 'AutoRemove' container with restart policy");
  if (hc.PidMode !== '' && hc.PidMode !== 'host') throw notImplemented(`--pid ${hc.PidMode} is not supported yet`);
  if (hc.IpcMode !== 'private' && hc.IpcMode !== 'shareable' && hc.IpcMode !== 'host' && hc.IpcMode !== 'none') throw notImplemented(`--ipc ${hc.IpcMode} is not supported yet`);
  return hc;
}

export interface ImageDefaults {
  User?: string;
  Env?: string[];
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Volumes?: Record<string, Record<string, never>> | null;
  Healthcheck?: unknown;
  OnBuild?: string[] | null;
}

export function mergeImageConfig(user: ContainerConfig, image: ImageDefaults): ContainerConfig {
  const c: ContainerConfig = { ...user };
  if (c.User === '') c.User = image.User ?? '';
  const keyOf = (e: string) => e.split('=', 1)[0];
  if (c.Env.length === 0) c.Env = [...(image.Env ?? [])];
  else for (const e of image.Env ?? []) if (!c.Env.some((u) => keyOf(u) === keyOf(e))) c.Env.push(e);
  c.Labels = { ...(image.Labels ?? {}), ...c.Labels };
  // `--entrypoint ""` arrives as [""]: an explicit empty entrypoint
  const userEntrypoint = c.Entrypoint?.length === 1 && c.Entrypoint[0] === '' ? [] : c.Entrypoint;
  if (userEntrypoint === null || userEntrypoint.length === 0) {
    if (c.Cmd === null || c.Cmd.length === 0) c.Cmd = image.Cmd ?? null;
    if (userEntrypoint === null) c.Entrypoint = image.Entrypoint ?? null;
    else c.Entrypoint = null;
  }
  if (c.WorkingDir === '') c.WorkingDir = image.WorkingDir ?? '';
  if (!c.StopSignal && image.StopSignal) c.StopSignal = image.StopSignal;
  if (image.ExposedPorts) c.ExposedPorts = { ...image.ExposedPorts, ...(c.ExposedPorts ?? {}) };
  if (image.Volumes) c.Volumes = { ...image.Volumes, ...(c.Volumes ?? {}) };
  if (c.Healthcheck === undefined && image.Healthcheck) c.Healthcheck = image.Healthcheck;
  c.Labels = sortedKeys(c.Labels);
  if (c.ExposedPorts) c.ExposedPorts = sortedKeys(c.ExposedPorts);
  if (c.Volumes) c.Volumes = sortedKeys(c.Volumes);
  return c;
}

/** Path and Args: the entrypoint then the command; docker's 400 when both are empty. */
export function commandOf(c: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  const [path, ...args] = argv;
  if (path === undefined || path === '') throw invalidArgument('no command specified');
  return { path, args };
}
