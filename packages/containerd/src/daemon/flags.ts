/**
 * containerd's command line: --config/-c, --address/-a, --root, --state,
 * --log-level/-l, --version/-v, --help/-h. Environment fallbacks for tests and
 * packaging: BERTH_CONTAINERD_CONFIG, _ADDRESS, _ROOT, _STATE, _LOG_LEVEL.
 */
import { parseArgs } from 'node:util';
import { invalidArgument } from '@berth/errors';
import { isLogLevel, LogLevels, type LogLevel } from '../log.js';
import type { Overrides } from './config.js';

export interface Flags extends Overrides {
  config?: string | undefined;
  version: boolean;
  help: boolean;
}

export const usage = `NAME:
   berth-containerd - containerd's API, in TypeScript (Berth)

USAGE:
   berth-containerd [global options]

GLOBAL OPTIONS:
   --config value, -c value     path to the configuration file (default: "/etc/berth/containerd/config.toml")
   --log-level value, -l value  set the logging level [${LogLevels.join(', ')}]
   --address value, -a value    address for containerd's GRPC server
   --root value                 containerd root directory
   --state value                containerd state directory
   --help, -h                   show help
   --version, -v                print the version
`;

function level(value: string | undefined, from: string): LogLevel | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isLogLevel(value)) throw invalidArgument(`${from}: unknown log level ${JSON.stringify(value)}`);
  return value;
}

export function parseFlags(argv: string[]): Flags {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        address: { type: 'string', short: 'a' },
        root: { type: 'string' },
        state: { type: 'string' },
        'log-level': { type: 'string', short: 'l' },
        version: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw invalidArgument((err as Error).message, err);
  }
  const v = parsed.values;
  return {
    config: v.config,
    address: v.address,
    root: v.root,
    state: v.state,
    logLevel: level(v['log-level'], '--log-level'),
    version: v.version === true,
    help: v.help === true,
  };
}

export function envOverrides(env: NodeJS.ProcessEnv): Overrides & { config?: string | undefined } {
  return {
    config: env.BERTH_CONTAINERD_CONFIG || undefined,
    address: env.BERTH_CONTAINERD_ADDRESS || undefined,
    root: env.BERTH_CONTAINERD_ROOT || undefined,
    state: env.BERTH_CONTAINERD_STATE || undefined,
    logLevel: level(env.BERTH_CONTAINERD_LOG_LEVEL, 'BERTH_CONTAINERD_LOG_LEVEL'),
  };
}
