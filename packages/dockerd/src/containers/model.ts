/**
 * A container as berthd keeps it: docker's Config and HostConfig as the client
 * sent them (defaults filled), and the state machine docker reports
 * (created, running, paused, restarting, removing, exited, dead). The record is
 * what config.v2.json holds on disk; views.ts turns it into the API shapes.
 */

/** Docker's container Config (the create body minus HostConfig/NetworkingConfig). */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Healthcheck?: unknown;
  ArgsEscaped?: boolean;
  Image: string;
  Volumes: Record<string, Record<string, never>> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

export interface MountSpec {
  Type: 'bind' | 'tmpfs' | 'volume' | 'npipe' | 'cluster';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
  VolumeOptions?: unknown;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped';
  MaximumRetryCount: number;
}

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** The HostConfig fields berthd acts on; everything else the client sent is kept and echoed. */
export interface HostConfig {
  Binds: string[] | null;
  Mounts?: MountSpec[];
  Tmpfs?: Record<string, string>;
  NetworkMode: string;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  LogConfig: LogConfig;
  ReadonlyRootfs: boolean;
  Privileged: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  SecurityOpt: string[] | null;
  Memory: number;
  MemorySwap: number;
  MemoryReservation: number;
  NanoCpus: number;
  CpuShares: number;
  CpuPeriod: number;
  CpuQuota: number;
  CpusetCpus: string;
  CpusetMems: string;
  PidsLimit: number | null;
  BlkioWeight: number;
  Ulimits: Ulimit[] | null;
  Init?: boolean | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
  ExtraHosts?: string[] | null;
  ShmSize: number;
  OomKillDisable?: boolean | null;
  OomScoreAdj?: number;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  Sysctls?: Record<string, string>;
  [other: string]: unknown;
}

/**
 * A mount resolved when the container was created and kept with it, as docker
 * keeps MountPoints in config.v2.json: volumes (named, anonymous, from the
 * image's VOLUME) and what --volumes-from took from another container. Binds
 * and tmpfs of the container's own HostConfig are not here: they are read
 * from it at each start.
 */
export interface MountRecord {
  Type: 'volume' | 'bind';
  /** The volume's name; '' for a bind. */
  Name: string;
  /** The volume's _data directory, or the bind's host path. */
  Source: string;
  Destination: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** A container's settings on one network (NetworkingConfig.EndpointsConfig, `network connect`), kept by network name. */
export interface EndpointConfig {
  Aliases: string[] | null;
  IPAMConfig: { IPv4Address?: string } | null;
  MacAddress: string;
  NetworkID: string;
}

export type Status = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

/** State.Health: docker's healthcheck status, failing streak and last probes. */
export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

export interface ContainerState {
  Status: Status;
  Pid: number;
  ExitCode: number;
  Error: string;
  OOMKilled: boolean;
  StartedAt: string;
  FinishedAt: string;
  /** Only for containers with a healthcheck. */
  Health?: HealthState;
}

export interface ContainerRecord {
  schemaVersion: 1;
  id: string;
  /** "/name", as docker keeps it. */
  name: string;
  created: string;
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** The image ID (sha256:...) and the name the container was created from. */
  image: string;
  imageName: string;
  /** The image's top chain ID: the snapshot parent. */
  snapshotParent: string;
  state: ContainerState;
  restartCount: number;
  /** Set by stop/kill from the API: unless-stopped and always don't restart it (until the daemon restarts, for always). */
  manuallyStopped: boolean;
  hasBeenStarted: boolean;
  logPath: string;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  /** Volumes and --volumes-from mounts (absent in records written before volumes existed). */
  mountPoints?: MountRecord[];
  /** The networks it joins when it runs, by name; absent in older records (then only NetworkMode's). */
  endpointsConfig?: Record<string, EndpointConfig>;
}

export const zeroTime = '0001-01-01T00:00:00Z';

export function isRunning(s: ContainerState): boolean {
  return s.Status === 'running' || s.Status === 'paused' || s.Status === 'restarting';
}
