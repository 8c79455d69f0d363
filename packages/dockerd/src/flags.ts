/**
 * berthd's command line: dockerd's flag names (../../shared/design.md, "Default
 * locations"), so scripts written for dockerd work. Only the flags this slice acts
 * on are accepted; an unknown flag is an error, as in dockerd.
 */
import net from 'node:net';
import { invalidArgument } from '@berth/errors';
import { normalizeMirror } from './registry/settings.js';
import { isLogLevel, type LogLevel } from '@berth/containerd/log';

export interface Flags {
  /** Listen addresses: unix:///path, tcp://host:port, fd:// or fd://N (dockerd's -H, repeatable). */
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
  /** The default bridge network's Linux bridge (dockerd's --bridge); "none": no bridge network. */
  bridge: string;
  /** The bridge's address and subnet (dockerd's --bip). */
  bip: string;
  /** Whether berthd adds iptables rules (NAT, published ports). */
  iptables: boolean;
  /** MASQUERADE for the bridge's outbound traffic (needs --iptables). */
  ipMasq: boolean;
  /** dockerd's --dns: the resolvers of containers that name none, and where the embedded DNS forwards; default: the host's. */
  dns: string[];
  /** dockerd's --insecure-registry: registries (host[:port] or CIDR) reached over plain HTTP. */
  insecureRegistries: string[];
  /** dockerd's --registry-mirror: endpoints tried first for docker.io pulls. */
  registryMirrors: string[];
  /**
   * dockerd's --tls and --tlsverify; undefined when not given, because dockerd
   * reads an explicit `--tls=false` (or `--tlsverify=false`) as the intent to
   * serve tcp without client certificates.
   */
  tls: boolean | undefined;
  tlsVerify: boolean | undefined;
  /** The CA that signs client certificates (--tlsverify), and the server's certificate and key. */
  tlsCaCert: string | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  logLevel: LogLevel;
  help: boolean;
  version: boolean;
}

export const defaultHost = 'unix:///run/berth/berthd.sock';

export const usage = `Usage:	berthd [OPTIONS]

A self-sufficient runtime for containers (the Docker Engine API over berth-containerd).

Options:
      --bip string                        Specify network bridge IP (default "172.31.0.1/16")
  -b, --bridge string                     Attach containers to a network bridge (default "berth0"; "none": no bridge network)
      --cgroup-parent string              Set parent cgroup for all containers (default "/berth")
      --containerd string                 containerd grpc address (required)
      --containerd-namespace string       Containerd namespace to use (default "moby")
      --data-root string                  Root directory of persistent state (default "/var/lib/berth")
  -D, --debug                             Enable debug mode
      --dns list                          DNS server to use
      --insecure-registry list            Enable insecure registry communication
      --exec-root string                  Root directory for execution state files (default "/run/berth")
  -H, --host list                         Daemon socket(s) to connect to (default unix:///run/berth/berthd.sock)
  -h, --help                              Print usage
      --init-path string                  Path to the docker-init binary
      --ip-masq                           Enable IP masquerading for the bridge network (default true)
      --iptables                          Enable addition of iptables rules (default true)
  -l, --log-level string                  Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -p, --pidfile string                    Path to use for daemon PID file (default "/run/berth/berthd.pid")
      --registry-mirror list              Preferred registry mirror
      --tls                               Use TLS; implied by --tlsverify
      --tlscacert string                  Trust certs signed only by this CA
      --tlscert string                    Path to TLS certificate file
      --tlskey string                     Path to TLS key file
      --tlsverify                         Use TLS and verify the remote
  -v, --version                           Print version information and quit
`;

type ValueFlag = 'host' | 'data-root' | 'exec-root' | 'pidfile' | 'containerd' | 'containerd-namespace' | 'log-level' | 'cgroup-parent' | 'init-path' | 'bridge' | 'bip' | 'dns' | 'insecure-registry' | 'registry-mirror'
  | 'tlscacert' | 'tlscert' | 'tlskey';
const valueFlags: Record<string, ValueFlag> = {
  '-H': 'host', '--host': 'host', '--data-root': 'data-root', '--exec-root': 'exec-root',
  '-p': 'pidfile', '--pidfile': 'pidfile', '--containerd': 'containerd',
  '--containerd-namespace': 'containerd-namespace', '-l': 'log-level', '--log-level': 'log-level',
  '--cgroup-parent': 'cgroup-parent', '--init-path': 'init-path', '-b': 'bridge', '--bridge': 'bridge', '--bip': 'bip',
  '--dns': 'dns', '--insecure-registry': 'insecure-registry', '--registry-mirror': 'registry-mirror', '--tlscacert': 'tlscacert', '--tlscert': 'tlscert', '--tlskey': 'tlskey',
};

/** Go's boolean flags: `--x`, `--x=true`, `--x=false` (never a separate value). */
const boolFlags = { '--iptables': 'iptables', '--ip-masq': 'ipMasq' } as const;
/** Booleans whose absence means something of its own (see Flags.tls). */
const triStateFlags = { '--tls': 'tls', '--tlsverify': 'tlsVerify' } as const;

function boolValue(name: string, v: string | undefined): boolean {
  if (v === undefined || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArgument(`invalid boolean value "${v}" for ${name}`);
}

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    hosts: [], dataRoot: '/var/lib/berth', execRoot: '/run/berth', pidfile: '/run/berth/berthd.pid',
    containerd: undefined, containerdNamespace: 'moby', cgroupParent: '/berth', initPath: undefined,
    bridge: 'berth0', bip: '172.31.0.1/16', iptables: true, ipMasq: true, dns: [], insecureRegistries: [], registryMirrors: [],
    tls: undefined, tlsVerify: undefined, tlsCaCert: undefined, tlsCert: undefined, tlsKey: undefined,
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
    if (name in boolFlags) {
      flags[boolFlags[name as keyof typeof boolFlags]] = boolValue(name, eq > 0 ? arg.slice(eq + 1) : undefined);
      continue;
    }
    if (name in triStateFlags) {
      flags[triStateFlags[name as keyof typeof triStateFlags]] = boolValue(name, eq > 0 ? arg.slice(eq + 1) : undefined);
      continue;
    }
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
      case 'bridge':
        if (value !== 'none' && !/^[A-Za-z0-9_.-]{1,15}$/.test(value)) throw invalidArgument(`invalid bridge name ${value}: at most 15 letters, digits, '_', '.', '-'`);
        flags.bridge = value;
        break;
      case 'bip': flags.bip = value; break;
      case 'insecure-registry': flags.insecureRegistries.push(value); break;
      case 'registry-mirror': flags.registryMirrors.push(normalizeMirror(value)); break;
      case 'dns':
        if (!net.isIP(value)) throw invalidArgument(`invalid argument "${value}" for "--dns" flag: ${value} is not an ip address`);
        flags.dns.push(value);
        break;
      case 'tlscacert': flags.tlsCaCert = value; break;
      case 'tlscert': flags.tlsCert = value; break;
      case 'tlskey': flags.tlsKey = value; break;
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
