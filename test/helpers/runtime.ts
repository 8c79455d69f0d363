/** Runs berth-runc (or the real runc) with a private --root, and cleans up after. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bin } from './paths.js';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** spawnSync's options, stdin as a string, and extra fds passed as 3, 4, ... */
export type RunOptions = Omit<SpawnSyncOptions, 'input' | 'stdio'> & { input?: string; extraFds?: number[] };

export class Runtime {
  readonly root: string;
  constructor(
    readonly binary: string,
    parent: string,
    readonly name: string,
  ) {
    this.root = path.join(parent, `${name}-state`);
    fs.mkdirSync(this.root, { recursive: true });
  }

  static berth(parent: string): Runtime {
    return new Runtime(bin('berth-runc'), parent, 'berth');
  }

  static real(parent: string): Runtime {
    return new Runtime('runc', parent, 'runc');
  }

  /**
   * Runs the runtime with stdout/stderr going to files, not pipes: a detached
   * container inherits them and would hold a pipe open long after the runtime
   * exited (spawnSync would wait for it).
   */
  run(args: string[], opts: RunOptions = {}): RunResult {
    const dir = fs.mkdtempSync(path.join(this.root, '..', 'out-'));
    const outFile = path.join(dir, 'stdout');
    const errFile = path.join(dir, 'stderr');
    const outFd = fs.openSync(outFile, 'w');
    const errFd = fs.openSync(errFile, 'w');
    let inFd: number | 'ignore' = 'ignore';
    if (opts.input !== undefined) {
      fs.writeFileSync(path.join(dir, 'stdin'), opts.input);
      inFd = fs.openSync(path.join(dir, 'stdin'), 'r');
    }
    try {
      const { input: _input, extraFds = [], ...rest } = opts;
      const r = spawnSync(this.binary, ['--root', this.root, ...args], { timeout: 60_000, ...rest, stdio: [inFd, outFd, errFd, ...extraFds] });
      return { status: r.status, stdout: fs.readFileSync(outFile, 'utf8'), stderr: fs.readFileSync(errFile, 'utf8') };
    } finally {
      fs.closeSync(outFd);
      fs.closeSync(errFd);
      if (typeof inFd === 'number') fs.closeSync(inFd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Runs and throws on a non-zero exit, with stderr in the message. */
  ok(args: string[], opts: RunOptions = {}): string {
    const r = this.run(args, opts);
    if (r.status !== 0) throw new Error(`${this.name} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  }

  state(id: string): { status: string; pid: number } & Record<string, unknown> {
    return JSON.parse(this.ok(['state', id])) as { status: string; pid: number };
  }

  /** delete -f every container this runtime root knows, then remove the root. */
  cleanup(): void {
    const r = this.run(['list', '-q']);
    for (const id of r.stdout.split('\n').filter(Boolean)) this.run(['delete', '-f', id]);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
