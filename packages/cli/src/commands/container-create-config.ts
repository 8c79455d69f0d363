/**
 * docker's run/create flags turned into the body of POST /containers/create
 * (Config + HostConfig + NetworkingConfig), with docker's parsing of memory
 * sizes, CPUs, ulimits, restart policies, mounts, -v and env files.
 */
import fs from 'node:fs';
import { ExitError } from '../errors.js';
import type { CreateFlags } from './container-create-flags.js';
import { parsePorts } from './container-ports.js';
import { networkingFor } from './network-endpoints.js';
import { healthcheckFrom } from './container-health.js';

export type Json = Record<string, unknown>;

export interface CreateRequest {
  body: Json;
  name?: string | undefined;
  platform?: string | undefined;
  attach: { stdin: boolean; stdout: boolean; stderr: boolean };
}

/** A flag value docker refuses while building the request (run/create report it with exit 125). */
export class FlagError extends Error {}
const bad = (msg: string): FlagError => new FlagError(msg);

/** go-units RAMInBytes: 512m, 1g, 1024k, 100 (bytes); binary multiples. */
export function ramInBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(s.trim());
  if (!m) throw bad(`invalid argument "${s}" for "-m, --memory" flag: invalid size: '${s}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[(m[2] ?? '').toLowerCase() as '' | 'k'];
  return Math.floor(Number(m[1]) * mult);
}

function intFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw bad(`invalid argument "${v}" for "${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

function keyValues(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list ?? []) {
    const eq = kv.indexOf('=');
    out[eq < 0 ? kv : kv.slice(0, eq)] = eq < 0 ? '' : kv.slice(eq + 1);
  }
  return out;
}

/** docker's env file: KEY=VAL lines, `#` comments, a bare KEY taken from our environment. */
export function readEnvFile(file: string, env: NodeJS.ProcessEnv): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new FlagError(`open ${file}: no such file or directory`);
  }
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#')) continue;
    if (line.includes('=')) out.push(line);
    else if (env[line.trim()] !== undefined) out.push(`${line.trim()}=${env[line.trim()] ?? ''}`);
  }
  return out;
}

/** -e KEY (no '=') takes KEY from our environment, or is dropped when unset. */
function envList(list: string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  return (list ?? []).flatMap((e) => (e.includes('=') ? [e] : env[e] !== undefined ? [`${e}=${env[e] ?? ''}`] : []));
}

function restartPolicy(s: string | undefined): Json | undefined {
  if (s === undefined) return undefined;
  const [name = '', count] = s.split(':');
  if (!['no', 'always', 'unless-stopped', 'on-failure', ''].includes(name)) throw bad(`invalid restart policy '${name}'`);
  if (count !== undefined && name !== 'on-failure') throw bad(`maximum retry count cannot be used with restart policy '${name}'`);
  return { Name: name, MaximumRetryCount: count === undefined ? 0 : Number(count) };
}

function ulimits(list: string[] | undefined): Json[] | undefined {
  if (!list) return undefined;
  return list.map((u) => {
    const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(u);
    if (!m) throw bad(`invalid argument "${u}" for "--ulimit" flag: invalid ulimit argument: ${u}`);
    return { Name: m[1], Soft: Number(m[2]), Hard: Number(m[3] ?? m[2]) };
  });
}

/** --mount type=bind,source=/a,target=/b,readonly (docker's csv fields). */
function mountSpec(s: string): Json {
  const m: Json = { Type: 'volume' };
  for (const field of s.split(',')) {
    const eq = field.indexOf('=');
    const k = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? undefined : field.slice(eq + 1);
    switch (k) {
      case 'type': m.Type = v; break;
      case 'source': case 'src': m.Source = v; break;
      case 'target': case 'destination': case 'dst': m.Target = v; break;
      case 'readonly': case 'ro': m.ReadOnly = v === undefined || v === 'true' || v === '1'; break;
      case 'bind-propagation': m.BindOptions = { ...(m.BindOptions as Json | undefined), Propagation: v }; break;
      case 'tmpfs-size': m.TmpfsOptions = { ...(m.TmpfsOptions as Json | undefined), SizeBytes: ramInBytes(v ?? '') }; break;
      case 'tmpfs-mode': m.TmpfsOptions = { ...(m.TmpfsOptions as Json | undefined), Mode: Number.parseInt(v ?? '0', 8) }; break;
      case 'volume-nocopy': m.VolumeOptions = { ...(m.VolumeOptions as Json | undefined), NoCopy: v === undefined || v === 'true' }; break;
      default: throw bad(`invalid argument "${s}" for "--mount" flag: unexpected key '${k}' in '${field}'`);
    }
  }
  if (!m.Target) throw bad(`invalid argument "${s}" for "--mount" flag: target is required`);
  return m;
}

export function buildCreateRequest(o: CreateFlags, image: string, cmd: string[], env: NodeJS.ProcessEnv = process.env): CreateRequest {
  const attachList = (o.attach ?? []).map((a) => a.toLowerCase());
  for (const a of attachList) {
    if (!['stdin', 'stdout', 'stderr'].includes(a)) throw bad(`invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  }
  let attach = { stdin: attachList.includes('stdin'), stdout: attachList.includes('stdout'), stderr: attachList.includes('stderr') };
  if (o.detach) {
    if (attachList.length) throw new ExitError('conflicting options: cannot specify both --attach and --detach', 1);
    attach = { stdin: false, stdout: false, stderr: false };
  } else if (!attachList.length) {
    attach = { stdin: Boolean(o.interactive), stdout: true, stderr: true };
  }
  if (o.rm && o.restart && !['no', ''].includes(o.restart)) throw bad('conflicting options: cannot specify both --restart and --rm');
  const volumes: Json = {};
  const binds: string[] = [];
  for (const v of o.volume ?? []) {
    // "/path" alone is an anonymous volume; "src:/dst[:opts]" a bind or named volume
    if (!v.includes(':')) volumes[v] = {};
    else binds.push(v);
  }
  const networking = networkingFor(o, bad);
  const ports = parsePorts(o.publish, o.expose);
  const envs = [...(o.envFile ?? []).flatMap((f) => readEnvFile(f, env)), ...envList(o.env, env)];
  const labels = { ...keyValues((o.labelFile ?? []).flatMap((f) => readEnvFile(f, {}))), ...keyValues(o.label) };
  const config: Json = {
    Hostname: o.hostname ?? '',
    Domainname: o.domainname ?? '',
    User: o.user ?? '',
    AttachStdin: attach.stdin,
    AttachStdout: attach.stdout,
    AttachStderr: attach.stderr,
    ...(Object.keys(ports.exposed).length ? { ExposedPorts: ports.exposed } : {}),
    Tty: Boolean(o.tty),
    OpenStdin: Boolean(o.interactive),
    StdinOnce: Boolean(o.interactive) && attach.stdin,
    Env: envs,
    Cmd: cmd.length ? cmd : null,
    Image: image,
    Volumes: volumes,
    WorkingDir: o.workdir ?? '',
    Entrypoint: o.entrypoint === undefined ? null : o.entrypoint === '' ? [''] : [o.entrypoint],
    OnBuild: null,
    Labels: labels,
  };
  const healthcheck = healthcheckFrom(o, bad);
  if (healthcheck) config.Healthcheck = healthcheck;
  if (o.stopSignal !== undefined) config.StopSignal = o.stopSignal;
  if (o.stopTimeout !== undefined) config.StopTimeout = intFlag(o.stopTimeout, '--stop-timeout');
  const cpus = o.cpus === undefined ? undefined : Number(o.cpus);
  if (cpus !== undefined && !Number.isFinite(cpus)) throw bad(`invalid argument "${o.cpus ?? ''}" for "--cpus" flag: failed to parse ${o.cpus ?? ''} as a rational number`);
  // the fields and order docker 28 sends (empty lists as [] where it does: the daemon keeps them so)
  const hostConfig: Json = {
    Binds: binds.length ? binds : null,
    ContainerIDFile: o.cidfile ?? '',
    LogConfig: { Type: o.logDriver ?? '', Config: keyValues(o.logOpt) },
    NetworkMode: networking.networkMode,
    PortBindings: ports.bindings,
    RestartPolicy: restartPolicy(o.restart) ?? { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: Boolean(o.rm),
    VolumeDriver: '',
    VolumesFrom: o.volumesFrom ?? null,
    ConsoleSize: o.tty && process.stdout.isTTY ? [process.stdout.rows || 0, process.stdout.columns || 0] : [0, 0],
    CapAdd: o.capAdd ?? null,
    CapDrop: o.capDrop ?? null,
    CgroupnsMode: '',
    Dns: o.dns ?? [],
    DnsOptions: o.dnsOption ?? [],
    DnsSearch: o.dnsSearch ?? [],
    ExtraHosts: o.addHost ?? null,
    GroupAdd: o.groupAdd ?? null,
    IpcMode: o.ipc ?? '',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: o.pid ?? '',
    Privileged: Boolean(o.privileged),
    PublishAllPorts: Boolean(o.publishAll),
    ReadonlyRootfs: Boolean(o.readOnly),
    SecurityOpt: o.securityOpt ?? null,
    ...(o.tmpfs ? { Tmpfs: Object.fromEntries(o.tmpfs.map((t) => { const i = t.indexOf(':'); return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]; })) } : {}),
    UTSMode: o.uts ?? '',
    UsernsMode: o.userns ?? '',
    ShmSize: o.shmSize === undefined ? 0 : ramInBytes(o.shmSize),
    ...(o.sysctl ? { Sysctls: keyValues(o.sysctl) } : {}),
    ...(o.runtime ? { Runtime: o.runtime } : {}),
    Isolation: '',
    CpuShares: intFlag(o.cpuShares, '-c, --cpu-shares') ?? 0,
    Memory: o.memory === undefined ? 0 : ramInBytes(o.memory),
    NanoCpus: cpus === undefined ? 0 : Math.round(cpus * 1e9),
    CgroupParent: o.cgroupParent ?? '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: o.cpusetCpus ?? '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: o.memoryReservation === undefined ? 0 : ramInBytes(o.memoryReservation),
    MemorySwap: o.memorySwap === undefined ? 0 : o.memorySwap === '-1' ? -1 : ramInBytes(o.memorySwap),
    MemorySwappiness: -1,
    OomKillDisable: Boolean(o.oomKillDisable),
    PidsLimit: intFlag(o.pidsLimit, '--pids-limit') ?? 0,
    Ulimits: ulimits(o.ulimit) ?? [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    ...(o.mount ? { Mounts: o.mount.map(mountSpec) } : {}),
    MaskedPaths: null,
    ReadonlyPaths: null,
  };
  if (o.init) hostConfig.Init = true;
  const body: Json = { ...config, HostConfig: hostConfig, NetworkingConfig: { EndpointsConfig: networking.endpoints } };
  return { body, name: o.name, platform: o.platform, attach };
}
