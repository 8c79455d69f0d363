/**
 * The OCI runtime /info lists and /version reports: berth-runc, found on PATH.
 * Its version is asked once (`berth-runc --version`, as dockerd asks runc) and
 * cached; berthd never runs containers through it directly (the shim does).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const defaultRuntimeName = 'runc';
export const runtimeBinary = 'berth-runc';

export interface RuntimeVersion {
  version: string;
  commit: string;
}

export function findOnPath(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathEnv.split(':')) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Parses runc's `--version` output: "runc version 1.1.12\ncommit: v1.1.12-0-g51d5e94\n...". */
export function parseRuncVersion(out: string): RuntimeVersion | undefined {
  const version = /version\s+(\S+)/.exec(out)?.[1];
  if (version === undefined) return undefined;
  return { version, commit: /^commit:\s*(\S+)/m.exec(out)?.[1] ?? '' };
}

let cached: Promise<RuntimeVersion | undefined> | undefined;

export function runtimeVersion(): Promise<RuntimeVersion | undefined> {
  cached ??= new Promise((resolve) => {
    const file = findOnPath(runtimeBinary);
    if (file === undefined) return resolve(undefined);
    execFile(file, ['--version'], { timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : parseRuncVersion(stdout)));
  });
  return cached;
}
