/**
 * Helpers for comparing with the real runc 1.1.5 binary, shared by the other
 * tests in this folder. It is a *.test.ts file only so that tsc leaves it out
 * of the build; its own test is registered only when vitest runs this file,
 * not when another test file imports it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { Spec } from './types.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command (runc by default), optionally prefixed by a wrapper such as
 * unshare. `detached` gives it no stdio at all: `runc create` hands its stdio
 * to the container, which would hold our pipes open until it dies.
 */
export function run(
  args: string[],
  opts: { cwd?: string; wrap?: string[]; cmd?: string; detached?: boolean } = {},
): RunResult {
  const argv = [...(opts.wrap ?? []), opts.cmd ?? 'runc', ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: 30_000,
    stdio: opts.detached ? 'ignore' : 'pipe',
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function probe(): boolean {
  const r = spawnSync('runc', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /^runc version 1\.1\./.test(r.stdout);
}

/** runc 1.1.x is on PATH. Tests that need it skip otherwise. */
export const hasRunc = probe();
/** ...and we may create containers with it (root, busybox for a rootfs). */
export const canRunContainers =
  hasRunc && process.geteuid?.() === 0 && spawnSync('busybox', ['true']).status === 0;

function busyboxPath(): string {
  const r = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' });
  return r.stdout.trim();
}

/** A fresh temp dir; the caller removes it with rmSync(dir, {recursive, force}). */
export function tempDir(prefix = 'berth-spec-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The config `runc spec` writes, parsed: an independent starting point for bundles. */
export function runcSpecConfig(): Spec {
  const dir = tempDir();
  try {
    const r = run(['spec'], { cwd: dir });
    if (r.code !== 0) throw new Error(`runc spec failed: ${r.stderr}`);
    return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Spec;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Bundle {
  dir: string;
  state: string;
  cleanup(): void;
}

/** A bundle with a busybox rootfs (plus the given empty dirs) and this config (a string is written as is). */
export function makeBundle(config: unknown, dirs: string[] = []): Bundle {
  const dir = tempDir();
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync(busyboxPath(), join(rootfs, 'bin', 'busybox'));
  for (const tool of ['sh', 'cat', 'grep', 'true']) symlinkSync('busybox', join(rootfs, 'bin', tool));
  for (const d of dirs) mkdirSync(join(rootfs, d), { recursive: true });
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  const state = join(dir, 'state');
  return { dir, state, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let serial = 0;
export function containerId(): string {
  return `berth-spec-${process.pid}-${++serial}`;
}

/** `runc run` of the bundle with JSON logs; runc deletes the container when it exits. */
export function runContainer(b: Bundle, wrap?: string[]): RunResult {
  return run(['--root', b.state, '--log-format', 'json', 'run', '--bundle', b.dir, containerId()], { wrap });
}

/** The msg fields of runc's JSON log lines. */
export function logMessages(stderr: string): { level: string; msg: string }[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string });
}

/** A config from `runc spec` that runs `script` with sh, without a terminal. */
export function scriptConfig(script: string): Spec & { process: NonNullable<Spec['process']> } {
  const c = runcSpecConfig();
  const p = c.process!;
  p.terminal = false;
  p.args = ['sh', '-c', script];
  return { ...c, process: p };
}

if (expect.getState().testPath === fileURLToPath(import.meta.url)) {
  it.runIf(canRunContainers)('runs a container from a runc-spec bundle', () => {
    const b = makeBundle(scriptConfig('echo hello'));
    try {
      const r = runContainer(b);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('hello\n');
      expect(r.code).toBe(0);
    } finally {
      b.cleanup();
    }
  });
}
