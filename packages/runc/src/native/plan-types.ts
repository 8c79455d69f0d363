/**
 * The launch plan handed to the C++ core (native/plan.h mirrors it). Everything
 * is resolved: host paths, flags as numbers, capability masks as bigints.
 */
export interface PlanMount {
  source?: string;
  /** Absolute host path under the rootfs. */
  target: string;
  fstype?: string;
  data?: string;
  flags: number;
  propagation: number[];
  bind: boolean;
  /** Bind of a non-directory: the mount point is created as a file. */
  file: boolean;
  /** Index in config.json's mounts, -1 when the runtime added the mount. */
  origin: number;
  /** Not a mount: a symlink at target pointing to source (co-mounted cgroup hierarchies). */
  symlink?: boolean;
}

export interface PlanDevice {
  path: string;
  hostPath?: string;
  mode: number;
  major: number;
  minor: number;
  uid: number;
  gid: number;
  bind: boolean;
}

export interface PlanHook {
  path: string;
  args: string[];
  env: string[];
  timeout: number;
}

export interface NativePlan {
  joinNamespaces: { type: number; path: string }[];
  cloneFlags: number;
  usernsMaps: boolean;
  setgroupsAllowed: boolean;

  rootfs?: string;
  rootfsPropagation: number;
  /** A shared mount holding the rootfs, made private before the rootfs bind (see plan/rootfs-parent.ts). */
  rootfsParentPrivate?: string;
  readonlyRootfs: boolean;
  noPivot: boolean;
  mounts: PlanMount[];
  devices: PlanDevice[];
  links: { target: string; path: string }[];
  maskedPaths: string[];
  readonlyPaths: string[];
  sysctl: { path: string; value: string }[];
  hostname?: string;
  domainname?: string;
  /** Name of a new session keyring for the container; absent with --no-new-keyring. */
  sessionKeyring?: string;
  /** Pause after the mounts so the parent can apply cgroup limits and run prestart/createRuntime hooks. */
  parentHooks: boolean;
  createContainerHooks: PlanHook[];
  startContainerHooks: PlanHook[];
  hookStatePrefix?: string;
  /** The prefix given to startContainer hooks: the same state with status "created". */
  startHookStatePrefix?: string;
  hookStateSuffix?: string;

  args: string[];
  env: string[];
  pathEnv?: string;
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  umask?: number;
  capBounding: bigint;
  capEffective: bigint;
  capPermitted: bigint;
  capInheritable: bigint;
  capAmbient: bigint;
  rlimits: { resource: number; soft: bigint; hard: bigint }[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
  seccompFilter?: Buffer;
  seccompFlags: number;
  terminal: boolean;
  /** process.consoleSize: the pty gets this size before its master is handed out. */
  consoleSize?: { rows: number; cols: number };
  /** Path of a console socket to connect to and send the pty master over. */
  consoleSocket?: string;
  /** An already connected console socket fd (used by foreground `run -t`). */
  consoleFd?: number;
  /** fds to dup onto 0, 1, 2 in the container (-1 keeps the inherited one). */
  stdio?: [number, number, number];
  fifoPath?: string;
  preserveFds: number;
}
