/**
 * berthd's command line: dockerd's flag names (../../shared/design.md, "Default
 * locations"), so scripts written for dockerd work. Only the flags this slice acts
 * on are accepted; an unknown flag is an error, as in dockerd.
 */
import { invalidArgument } from '@berth/errors';
import { isLogLevel, type LogLevel } from '@berth/containerd/log';

export interface Flags {
  /** Listen addresses, "unix:///path" (dockerd's -H, repeatable). */
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  /** berth-containerd's socket; berthd does not start its own (yet). */
  containerd: string | undefined;
  containerdNamespace: string;
  /** Parent cgroup of every container (dockerd's --cgroup-parent). */
  cgroupParent: string;
  /** The init binary for --init; found on PATH (docker-init, tini-static, tini) when not given. */
  initPath: string | undefined;
  logLevel: LogLevel;
  help: boolean;
  version: boolean;
}

export const defaultHost = 'unix:///run/berth/berthd.sock';

export const usage = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers (the Docker Engine API over berth-containerd).

Options:
      --cgroup-parent string              Set parent cgroup for all containers (default "/berth")
      --containerd string                 containerd grpc address (required)
      --containerd-namespace string       Containerd namespace to use (default "moby")
      --data-root string                  Root directory of persistent state (default "/var/lib/berth")
  -D, --debug                             Enable debug mode
      --exec-root string                  Root directory for execution state files (default "/run/berth")
  -H, --host list                         Daemon socket(s) to connect to (default unix:///run/berth/berthd.sock)
  -h, --help                              Print usage
      --init-path string                  Path to the docker-init binary
  -l, --log-level string                  Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -p, --pidfile string                    Path to use for daemon PID file (default "/run/berth/berthd.pid")
  -v, --version                           Print version information and quit
`;

type ValueFlag = 'host' | 'data-root' | 'exec-root' | 'pidfile' | 'containerd' | 'containerd-namespace' | 'log-level' | 'cgroup-parent' | 'init-path';
const valueFlags: Record<string, ValueFlag> = {
  '-H': 'host', '--host': 'host', '--data-root': 'data-root', '--exec-root': 'exec-root',
  '-p': 'pidfile', '--pidfile': 'pidfile', '--containerd': 'containerd',
  '--containerd-namespace': 'containerd-namespace', '-l': 'log-level', '--log-level': 'log-level',
  '--cgroup-parent': 'cgroup-parent', '--init-path': 'init-path',
};

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    hosts: [], dataRoot: '/var/lib/berth', execRoot: '/run/berth', pidfile: '/run/berth/berthd.pid',
    containerd: undefined, containerdNamespace: 'moby', cgroupParent: '/berth', initPath: undefined,
    logLevel: 'info', help: false, version: false,
  };
  let debug = false;
  let logLevelSet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '-D' || name === '--debug') { debug = true; continue; }
    if (name === '-h' || name === '--help') { flags.help = true; continue; }
    if (name === '-v' || name === '--version') { flags.version = true; continue; }
    const key = valueFlags[name];
    if (key === undefined) throw invalidArgument(`unknown flag: ${name}`);
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw invalidArgument(`flag needs an argument: ${name}`);
    switch (key) {
      case 'host': flags.hosts.push(value); break;
      case 'data-root': flags.dataRoot = value; break;
      case 'exec-root': flags.execRoot = value; break;
      case 'pidfile': flags.pidfile = value; break;
      case 'containerd': flags.containerd = value; break;
      case 'containerd-namespace': flags.containerdNamespace = value; break;
      case 'cgroup-parent': flags.cgroupParent = value.startsWith('/') ? value : `/${value}`; break;
      case 'init-path': flags.initPath = value; break;
      case 'log-level':
        if (!isLogLevel(value)) throw invalidArgument(`unable to parse logging level: ${value}`);
        flags.logLevel = value;
        logLevelSet = true;
        break;
    }
  }
  // dockerd: -D means debug unless --log-level says otherwise
  if (debug && !logLevelSet) flags.logLevel = 'debug';
  if (flags.hosts.length === 0) flags.hosts.push(defaultHost);
  return flags;
}

/** "unix:///run/x.sock" -> "/run/x.sock"; only unix sockets for now. */
export function unixSocketPath(host: string): string {
  if (host.startsWith('unix://')) {
    const p = host.slice('unix://'.length);
    if (p === '') throw invalidArgument(`invalid host: ${host}`);
    return p;
  }
  if (host.startsWith('/')) return host;
  throw invalidArgument(`unsupported host ${host}: berthd listens on unix:// sockets only (tcp:// comes later)`);
}
