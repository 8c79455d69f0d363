/**
 * berth-containerd's configuration: containerd's TOML config file (only the keys
 * served so far: version, root, state, [grpc] address), overridden by the
 * environment (BERTH_CONTAINERD_*), overridden by containerd's flags.
 * A missing config file is not an error, as in containerd.
 */
import fs from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { invalidArgument } from '@berth/errors';
import type { LogLevel } from '../log.js';

export interface Config {
  /** Config file schema version: 1 or 2, as containerd 1.6 accepts. */
  version: number;
  root: string;
  state: string;
  grpc: { address: string };
  logLevel: LogLevel;
}

export const defaultConfigPath = '/etc/berth/containerd/config.toml';

export const defaults: Config = {
  version: 2,
  root: '/var/lib/berth/containerd',
  state: '/run/berth/containerd',
  grpc: { address: '/run/berth/containerd/containerd.sock' },
  logLevel: 'info',
};

/** Overrides from flags or the environment; undefined keeps the lower layer. */
export interface Overrides {
  root?: string | undefined;
  state?: string | undefined;
  address?: string | undefined;
  logLevel?: LogLevel | undefined;
}

const maxConfigVersion = 2;

function expect<T>(value: unknown, type: 'string' | 'number', key: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== type && !(type === 'number' && typeof value === 'bigint')) {
    throw invalidArgument(`config: ${key} must be a ${type}`);
  }
  return (typeof value === 'bigint' ? Number(value) : value) as T;
}

/** Reads the TOML file at `path` over the defaults; ENOENT leaves the defaults. */
export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(defaults);
    throw invalidArgument(`config: cannot read ${path}`, err);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    throw invalidArgument(`config: ${path}: ${(err as Error).message}`, err);
  }
  const version = expect<number>(doc.version, 'number', 'version') ?? 1;
  if (version > maxConfigVersion) {
    throw invalidArgument(`config: expected containerd config version equal to or less than ${maxConfigVersion}, got ${version}`);
  }
  const grpc = (doc.grpc ?? {}) as Record<string, unknown>;
  if (typeof grpc !== 'object' || Array.isArray(grpc)) throw invalidArgument('config: [grpc] must be a table');
  return {
    version,
    root: expect<string>(doc.root, 'string', 'root') ?? defaults.root,
    state: expect<string>(doc.state, 'string', 'state') ?? defaults.state,
    grpc: { address: expect<string>(grpc.address, 'string', 'grpc.address') ?? defaults.grpc.address },
    logLevel: defaults.logLevel,
  };
}

export function applyOverrides(config: Config, ...layers: Overrides[]): Config {
  const out = structuredClone(config);
  for (const o of layers) {
    if (o.root) out.root = o.root;
    if (o.state) out.state = o.state;
    if (o.address) out.grpc.address = o.address;
    if (o.logLevel) out.logLevel = o.logLevel;
  }
  return out;
}
