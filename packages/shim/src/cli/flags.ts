/**
 * The shim's command line, shaped like containerd's shim binaries (Go's flag
 * package): single or double dash, `-name value` or `-name=value`, flags before
 * the command. `berth-shim [flags] start|serve|delete`.
 */
import { invalidArgument } from '@berth/errors';

export const Commands = ['start', 'serve', 'delete'] as const;
export type Command = (typeof Commands)[number];

export interface ShimFlags {
  /** containerd namespace; optional for a spare shim (taken from Create's metadata). */
  namespace: string;
  /** The container id; optional for a spare shim (bound by Create). */
  id: string;
  /** containerd's socket: where task events are published ('' = do not publish). */
  address: string;
  /** The bundle (state dir) of the container; optional for a spare shim. */
  bundle: string;
  /** The shim's own socket; default /run/berth/s/<hash>. */
  socket: string;
  /** The default root of runtime state (runc's --root), joined with the namespace. */
  runtimeRoot: string;
  logLevel: string;
  /** Where a spare shim logs until Create gives it a bundle ('' = nowhere). */
  log: string;
}

export interface ParsedArgs {
  flags: ShimFlags;
  command: Command | 'version' | 'help';
}

export const defaultFlags = (): ShimFlags => ({
  namespace: '',
  id: '',
  address: '',
  bundle: '',
  socket: '',
  runtimeRoot: '/run/berth/runc',
  logLevel: 'info',
  log: '',
});

const stringFlags: Record<string, keyof ShimFlags> = {
  namespace: 'namespace',
  id: 'id',
  address: 'address',
  bundle: 'bundle',
  socket: 'socket',
  'runtime-root': 'runtimeRoot',
  'log-level': 'logLevel',
  log: 'log',
};

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const flags = defaultFlags();
  let command: ParsedArgs['command'] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      if (command !== undefined) throw invalidArgument(`unexpected argument ${JSON.stringify(arg)}`);
      if (!(Commands as readonly string[]).includes(arg)) throw invalidArgument(`unknown command ${JSON.stringify(arg)}`);
      command = arg as Command;
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (name === 'debug') {
      flags.logLevel = 'debug';
      continue;
    }
    if (name === 'v' || name === 'version') {
      command = 'version';
      continue;
    }
    if (name === 'h' || name === 'help') {
      command = 'help';
      continue;
    }
    const key = stringFlags[name];
    if (key === undefined) throw invalidArgument(`flag provided but not defined: -${name}`);
    let value: string | undefined;
    if (eq >= 0) value = body.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw invalidArgument(`flag needs an argument: -${name}`);
    flags[key] = value;
  }
  if (command === undefined) throw invalidArgument('a command is required: start, serve or delete');
  return { flags, command };
}

/** The same flags as arguments again (start hands them to the daemon it spawns). */
export function formatFlags(flags: ShimFlags): string[] {
  const out: string[] = [];
  for (const [name, key] of Object.entries(stringFlags)) {
    const value = flags[key];
    if (value !== defaultFlags()[key]) out.push(`-${name}`, value);
  }
  return out;
}

export const usage = `Usage: berth-shim [flags] start|delete

  start    start the shim daemon for a container and print its address
  delete   clean up after a shim that is gone (runtime delete, unmount rootfs)

Flags:
  -namespace NS       containerd namespace (a spare shim takes it from Create)
  -id ID              container id (a spare shim takes it from Create)
  -address PATH       containerd's socket, for publishing task events
  -bundle DIR         the container's bundle (state dir)
  -socket PATH        the shim's socket (default /run/berth/s/<hash>)
  -runtime-root DIR   runtime state root, joined with the namespace (default /run/berth/runc)
  -log-level LEVEL    trace, debug, info, warn, error (default info); -debug = debug
  -log FILE           log file of a spare shim until Create (then <bundle>/shim.log)
`;
