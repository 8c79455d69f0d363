/**
 * The flags `run` and `create` share (docker's container options), declared
 * once with docker's names, value kinds and help texts.
 */
import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import { goDurationNs } from '../units.js';
import { fullName, usageLine } from '../help.js';
import type { HealthFlags } from './container-health.js';
import { networkValueError } from './network-endpoints.js';

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

type Flag = [flags: string, help: string, list?: boolean];

const flags: Flag[] = [
  ['--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', true],
  ['-a, --attach <list>', 'Attach to STDIN, STDOUT or STDERR', true],
  ['--cap-add <list>', 'Add Linux capabilities', true],
  ['--cap-drop <list>', 'Drop Linux capabilities', true],
  ['--cgroup-parent <string>', 'Optional parent cgroup for the container'],
  ['--cidfile <string>', 'Write the container ID to the file'],
  ['-c, --cpu-shares <int>', 'CPU shares (relative weight)'],
  ['--cpus <decimal>', 'Number of CPUs'],
  ['--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)'],
  ['--detach-keys <string>', 'Override the key sequence for detaching a container'],
  ['--dns <list>', 'Set custom DNS servers', true],
  ['--dns-option <list>', 'Set DNS options', true],
  ['--dns-search <list>', 'Set custom DNS search domains', true],
  ['--domainname <string>', 'Container NIS domain name'],
  ['--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image'],
  ['-e, --env <list>', 'Set environment variables', true],
  ['--env-file <list>', 'Read in a file of environment variables', true],
  ['--expose <list>', 'Expose a port or a range of ports', true],
  ['--group-add <list>', 'Add additional groups to join', true],
  ['--health-cmd <string>', 'Command to run to check health'],
  ['--health-interval <duration>', 'Time between running the check (ms|s|m|h) (default 0s)'],
  ['--health-retries <int>', 'Consecutive failures needed to report unhealthy'],
  ['--health-start-interval <duration>', 'Time between running the check during the start period (ms|s|m|h) (default 0s)'],
  ['--health-start-period <duration>', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)'],
  ['--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'],
  ['-h, --hostname <string>', 'Container host name'],
  ['--init', 'Run an init inside the container that forwards signals and reaps processes'],
  ['-i, --interactive', 'Keep STDIN open even if not attached'],
  ['--ipc <string>', 'IPC mode to use'],
  ['-l, --label <list>', 'Set meta data on a container', true],
  ['--label-file <list>', 'Read in a line delimited file of labels', true],
  ['--log-driver <string>', 'Logging driver for the container'],
  ['--log-opt <list>', 'Log driver options', true],
  ['-m, --memory <bytes>', 'Memory limit'],
  ['--memory-reservation <bytes>', 'Memory soft limit'],
  ['--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"],
  ['--mount <mount>', 'Attach a filesystem mount to the container', true],
  ['--name <string>', 'Assign a name to the container'],
  ['--ip <string>', 'IPv4 address (e.g., 172.30.100.104)'],
  ['--ip6 <string>', 'IPv6 address (e.g., 2001:db8::33)'],
  ['--mac-address <string>', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'],
  ['--network <network>', 'Connect a container to a network', true],
  ['--network-alias <list>', 'Add network-scoped alias for the container', true],
  ['--no-healthcheck', 'Disable any container-specified HEALTHCHECK'],
  ['--oom-kill-disable', 'Disable OOM Killer'],
  ['--pid <string>', 'PID namespace to use'],
  ['--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)'],
  ['--platform <string>', 'Set platform if server is multi-platform capable'],
  ['--privileged', 'Give extended privileges to this container'],
  ['-p, --publish <list>', "Publish a container's port(s) to the host", true],
  ['-P, --publish-all', 'Publish all exposed ports to random ports'],
  ['--pull <string>', 'Pull image before running ("always", "missing", "never") (default "missing")'],
  ['-q, --quiet', 'Suppress the pull output'],
  ['--read-only', "Mount the container's root filesystem as read only"],
  ['--restart <string>', 'Restart policy to apply when a container exits (default "no")'],
  ['--rm', 'Automatically remove the container and its associated anonymous volumes when it exits'],
  ['--runtime <string>', 'Runtime to use for this container'],
  ['--security-opt <list>', 'Security Options', true],
  ['--shm-size <bytes>', 'Size of /dev/shm'],
  ['--stop-signal <string>', 'Signal to stop the container'],
  ['--stop-timeout <int>', 'Timeout (in seconds) to stop a container'],
  ['--sysctl <map>', 'Sysctl options (default map[])', true],
  ['--tmpfs <list>', 'Mount a tmpfs directory', true],
  ['-t, --tty', 'Allocate a pseudo-TTY'],
  ['--ulimit <ulimit>', 'Ulimit options (default [])', true],
  ['-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])'],
  ['--userns <string>', 'User namespace to use'],
  ['--uts <string>', 'UTS namespace to use'],
  ['-v, --volume <list>', 'Bind mount a volume', true],
  ['--volumes-from <list>', 'Mount volumes from the specified container(s)', true],
  ['-w, --workdir <string>', 'Working directory inside the container'],
];

export interface CreateFlags extends HealthFlags {
  addHost?: string[];
  attach?: string[];
  capAdd?: string[];
  capDrop?: string[];
  cgroupParent?: string;
  cidfile?: string;
  cpuShares?: string;
  cpus?: string;
  cpusetCpus?: string;
  detachKeys?: string;
  dns?: string[];
  dnsOption?: string[];
  dnsSearch?: string[];
  domainname?: string;
  entrypoint?: string;
  env?: string[];
  envFile?: string[];
  expose?: string[];
  publish?: string[];
  publishAll?: boolean;
  groupAdd?: string[];
  hostname?: string;
  init?: boolean;
  interactive?: boolean;
  ipc?: string;
  label?: string[];
  labelFile?: string[];
  logDriver?: string;
  logOpt?: string[];
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  mount?: string[];
  name?: string;
  ip?: string;
  ip6?: string;
  macAddress?: string;
  network?: string[];
  networkAlias?: string[];
  oomKillDisable?: boolean;
  pid?: string;
  pidsLimit?: string;
  platform?: string;
  privileged?: boolean;
  pull?: string;
  quiet?: boolean;
  readOnly?: boolean;
  restart?: string;
  rm?: boolean;
  runtime?: string;
  securityOpt?: string[];
  shmSize?: string;
  stopSignal?: string;
  stopTimeout?: string;
  sysctl?: string[];
  tmpfs?: string[];
  tty?: boolean;
  ulimit?: string[];
  user?: string;
  userns?: string;
  uts?: string;
  volume?: string[];
  volumesFrom?: string[];
  workdir?: string;
  /** run only */
  detach?: boolean;
  sigProxy?: boolean;
}

export function addCreateFlags(cmd: Command, forRun: boolean): Command {
  const all: Flag[] = forRun
    ? [...flags, ['-d, --detach', 'Run container in background and print container ID']]
    : flags;
  for (const [f, help, list] of all.sort((a, b) => longName(a[0]).localeCompare(longName(b[0])))) {
    if (f.startsWith('--network ')) cmd.option(f, help, networkFlag(cmd));
    else if (f.endsWith(' <duration>')) cmd.option(f, help, durationFlag(cmd, longName(f)));
    else if (list) cmd.option(f, help, collect);
    else cmd.option(f, help);
  }
  if (forRun) {
    cmd.option('--sig-proxy', 'Proxy received signals to the process (default true)');
    cmd.addOption(new Option('--no-sig-proxy').hideHelp());
  }
  return cmd;
}

/** Go duration flags: a value time.ParseDuration refuses is a usage error, exit 125 (a negative one is checked later, as docker). */
function durationFlag(cmd: Command, name: string): (v: string) => string {
  return (v) => {
    if (goDurationNs(v) === undefined) throw usageError(`invalid argument "${v}" for "--${name}" flag: time: invalid duration "${v}"`, usageLine(cmd), fullName(cmd));
    return v;
  };
}

/** --network values docker's flag parser refuses (bad csv form) fail as usage errors, exit 125. */
function networkFlag(cmd: Command): (v: string, prev: string[] | undefined) => string[] {
  return (v, prev) => {
    const reason = networkValueError(v);
    if (reason) throw usageError(`invalid argument "${v}" for "--network" flag: ${reason}`, usageLine(cmd), fullName(cmd));
    return collect(v, prev);
  };
}

const longName = (f: string): string => /--([\w-]+)/.exec(f)?.[1] ?? f;
