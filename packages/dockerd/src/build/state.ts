/**
 * What a build stage carries from step to step: the image so far, the run
 * config the next image gets (Env, Cmd, WorkingDir, ...), the ARGs declared
 * in the stage, and the values of --build-arg.
 */
import type { BaseImage } from './image-writer.js';
import type { Vars } from './words.js';
import type { Credentials } from '../registry/auth.js';

/** The image config's `config` fields the classic builder sets. */
export interface RunConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: Record<string, unknown>;
  OnBuild?: string[] | null;
  Shell?: string[];
  ArgsEscaped?: boolean;
  [k: string]: unknown;
}

export const defaultShell = ['/bin/sh', '-c'];

export interface Stage {
  name: string;
  image: BaseImage;
  runConfig: RunConfig;
  /** ARGs declared in this stage (with their values: --build-arg, else the default). */
  args: Map<string, string | undefined>;
  /** A CMD was given in this stage (then a later ENTRYPOINT keeps it). */
  cmdSet: boolean;
}

export interface BuildSettings {
  /** --build-arg values (a null value: take it from... nowhere, as there is no client env here). */
  buildArgs: Map<string, string | undefined>;
  /** ARG names of --build-arg that an ARG instruction consumed. */
  usedArgs: Set<string>;
  /** The values of the ARGs before the first FROM: a stage's `ARG NAME` without a default takes it. */
  metaArgs: Map<string, string>;
  noCache: boolean;
  /** pull=1: FROM images are pulled first, with these credentials for their registry. */
  pull?: (ref: string) => Credentials;
}

const keyOf = (kv: string): string => kv.split('=', 1)[0] ?? '';

export function envMap(rc: RunConfig): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of rc.Env ?? []) {
    const eq = kv.indexOf('=');
    m.set(eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? '' : kv.slice(eq + 1));
  }
  return m;
}

export function setEnv(rc: RunConfig, key: string, value: string): void {
  const env = [...(rc.Env ?? [])];
  // moby replaces a key in place, else appends
  const i = env.findIndex((kv) => keyOf(kv) === key);
  if (i >= 0) env[i] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
  rc.Env = env;
}

/** The stage's ARGs that have a value, `k=v`, sorted: RUN's extra env and its cache key prefix. */
export function argPairs(st: Stage): string[] {
  const env = envMap(st.runConfig);
  return [...st.args].filter(([k, v]) => v !== undefined && !env.has(k)).map(([k, v]) => `${k}=${v ?? ''}`).sort();
}

/** Variables for word expansion: the stage's ARGs, then its ENV over them. */
export function varsOf(st: Stage): Vars {
  const m = new Map<string, string>();
  for (const [k, v] of st.args) if (v !== undefined) m.set(k, v);
  for (const [k, v] of envMap(st.runConfig)) m.set(k, v);
  return m;
}

export const shellOf = (rc: RunConfig): string[] => (rc.Shell && rc.Shell.length > 0 ? rc.Shell : defaultShell);
