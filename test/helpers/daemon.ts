/**
 * Real daemons (containerd, dockerd) as children of a test: started with their
 * output in a log file (never a pipe: their children would inherit it), stopped
 * by pid with SIGTERM and awaited, then SIGKILL if they do not go. Plus the
 * small process utilities those tests share: running a client with a timeout,
 * shell quoting for `script -c`, and removing what a daemon left mounted or in
 * the cgroup tree below a test's own prefix.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveCgroupPaths } from '../../packages/runc/src/cgroups/paths.js';

export interface Daemon {
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or 128+signal) once the daemon has exited. */
  exited: Promise<number>;
  /** SIGTERM, wait up to timeoutMs, then SIGKILL and wait. Idempotent. */
  stop(timeoutMs?: number): Promise<number>;
  log(): string;
}

export function startDaemon(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Daemon {
  const fd = fs.openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env });
  } finally {
    fs.closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`${cmd} did not start`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      resolve(code ?? 128 + (signal ? (signalNumber(signal) ?? 0) : 0));
    }),
  );
  const log = () => {
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    pid,
    logFile,
    exited,
    log,
    async stop(timeoutMs = 20_000) {
      if (!done) {
        process.kill(pid, 'SIGTERM');
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout' && !done) process.kill(pid, 'SIGKILL');
      }
      return exited;
    },
  };
}

function signalNumber(name: NodeJS.Signals): number | undefined {
  return (os.constants.signals as Record<string, number | undefined>)[name];
}

export interface CmdResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client program to completion (stdin closed) with a timeout. */
export function runCmd(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): CmdResult {
  const r = spawnSync(cmd, args, {
    env: opts.env ?? process.env,
    input: opts.input,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A POSIX shell word for each argument (for `script -c "<command line>"`). */
export function shellQuote(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Runs a command on a fresh pseudo-terminal (util-linux `script`), so that
 * clients that want a tty on their stdin (`ctr run -t`, `docker run -t`) get
 * one. The status is the command's (-e); the output is the terminal's.
 */
export function runOnPty(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CmdResult {
  return runCmd('script', ['-qec', shellQuote(args), '/dev/null'], opts);
}

/** Whether every program is on PATH (or is an existing absolute path). */
export function haveBinaries(...names: string[]): boolean {
  return names.every((n) => {
    if (path.isAbsolute(n)) return fs.existsSync(n);
    return (process.env.PATH ?? '').split(':').some((d) => d !== '' && fs.existsSync(path.join(d, n)));
  });
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Mount points at or below `dir` in our mount namespace, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const points = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Lazily detaches whatever is still mounted below `dir` (only there). */
export function unmountUnder(dir: string): void {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const p of points) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
  }
}

/**
 * The directories of a relative cgroup path (as passed to ctr --cgroup or
 * dockerd --cgroup-parent) in every hierarchy: below this process's own
 * cgroups, where runc (and berth-runc) put relative paths.
 */
export function cgroupDirs(relative: string): string[] {
  return [...new Set(Object.values(resolveCgroupPaths({ cgroupsPath: relative, id: 'unused' })))];
}

/** rmdir a cgroup tree bottom-up (cgroup directories can only be removed empty of children). */
export function removeCgroupTree(relative: string): void {
  const rm = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) rm(path.join(dir, e.name));
    try {
      fs.rmdirSync(dir);
    } catch {
      // busy (a process is still inside) or already gone
    }
  };
  for (const d of cgroupDirs(relative)) rm(d);
}

/**
 * Directories a daemon creates at fixed host paths that no flag moves (dockerd's
 * /run/docker/plugins, containerd's /opt/containerd): remember which were
 * absent before, and rmdir them afterwards if they are still empty.
 */
export function trackHostDirs(dirs: string[]): () => void {
  const absent = dirs.filter((d) => !fs.existsSync(d));
  return () => {
    // deepest first, so that a parent becomes empty before its turn
    for (const d of [...absent].sort((a, b) => b.length - a.length)) {
      try {
        fs.rmdirSync(d);
      } catch {
        // not empty (someone else uses it) or already gone
      }
    }
  };
}
