/**
 * A runc-compatible binary (real runc, berth-runc, crun...) driven through
 * runc's command line, as containerd-shim-runc-v2 drives it:
 *   <bin> --root R --log <bundle>/log.json --log-format json <command> ...
 * Detached processes get the shim's pipes as their stdio through the binary's
 * own stdio; their pids are read from --pid-file. Once the binary exits, the
 * container's process is re-parented to the shim (a child subreaper), which
 * reaps it. Errors are the binary's last error line in log.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BerthError, internal, notFound, failedPrecondition } from '@berth/errors';
import type { LinuxResources, NativeCore, Process } from '@berth/runc';
import type { CreateOpts, LaunchIO, Launched, Runtime, RuntimeStatus } from './runtime.js';

export interface BinaryOptions {
  binary: string;
  root: string;
  /** The bundle's log.json. */
  logFile: string;
  systemdCgroup: boolean;
}

export class BinaryRuntime implements Runtime {
  readonly name: string;

  constructor(
    private readonly opts: BinaryOptions,
    private readonly core: NativeCore,
  ) {
    this.name = opts.binary;
  }

  private globalArgs(): string[] {
    const args = ['--root', this.opts.root, '--log', this.opts.logFile, '--log-format', 'json'];
    if (this.opts.systemdCgroup) args.push('--systemd-cgroup');
    return args;
  }

  private logSize(): number {
    try {
      return fs.statSync(this.opts.logFile).size;
    } catch {
      return 0;
    }
  }

  /** The last error the binary logged since offset (runc logs logrus JSON lines). */
  private loggedError(offset: number): string | undefined {
    let text = '';
    try {
      const fd = fs.openSync(this.opts.logFile, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const buf = Buffer.alloc(Math.max(0, size - offset));
        fs.readSync(fd, buf, 0, buf.length, offset);
        text = buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return undefined;
    }
    let last: string | undefined;
    for (const line of text.split('\n')) {
      try {
        const entry = JSON.parse(line) as { level?: string; msg?: string };
        if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) last = entry.msg;
      } catch {
        // not JSON
      }
    }
    return last;
  }

  /** Runs the binary; output on success, a typed error with the binary's message otherwise. */
  private run(args: string[], stdio: LaunchIO['stdio'] | 'pipe' = 'pipe', input?: string): string {
    const offset = this.logSize();
    try {
      const out = execFileSync(this.opts.binary, [...this.globalArgs(), ...args], {
        stdio: stdio === 'pipe' ? ['pipe', 'pipe', 'pipe'] : stdio,
        ...(input !== undefined ? { input } : {}),
        maxBuffer: 16 << 20,
        timeout: 60_000,
      });
      return out === null ? '' : out.toString('utf8');
    } catch (err) {
      const e = err as { stderr?: Buffer | null; code?: string; status?: number | null };
      if (e.code === 'ENOENT') throw failedPrecondition(`runtime binary ${this.opts.binary}: not found in PATH`, err);
      const msg = this.loggedError(offset) ?? e.stderr?.toString('utf8').trim() ?? `exit status ${e.status ?? '?'}`;
      throw classify(`${this.opts.binary} ${args[0] ?? ''}: ${msg}`, msg, err);
    }
  }

  /** A console socket for the binary to send the pty master to (--console-socket). */
  private withConsole<T extends { pid: number }>(io: LaunchIO, launch: (socket?: string) => T): Launched {
    if (!io.terminal) return { pid: launch().pid };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pty-'));
    const socket = path.join(dir, 'pty.sock');
    const listener = this.core.listenUnix(socket);
    try {
      const { pid } = launch(socket);
      // The binary connected and sent the master before it exited: accept does not wait.
      const conn = this.core.accept(listener, 10_000);
      try {
        return { pid, master: this.core.recvFd(conn).fd };
      } finally {
        fs.closeSync(conn);
      }
    } finally {
      fs.closeSync(listener);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private stdioFor(io: LaunchIO): LaunchIO['stdio'] | 'pipe' {
    return io.terminal ? 'pipe' : io.stdio;
  }

  create(id: string, opts: CreateOpts, io: LaunchIO): Launched {
    return this.withConsole(io, (socket) => {
      const args = ['create', '--bundle', opts.bundle, '--pid-file', opts.pidFile];
      if (socket !== undefined) args.push('--console-socket', socket);
      if (opts.noPivot) args.push('--no-pivot');
      if (opts.noNewKeyring) args.push('--no-new-keyring');
      this.run([...args, id], this.stdioFor(io));
      return { pid: readPid(opts.pidFile) };
    });
  }

  start(id: string): void {
    this.run(['start', id]);
  }

  exec(id: string, execId: string, process: Process, io: LaunchIO): Launched {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-exec-'));
    try {
      const spec = path.join(dir, 'process.json');
      const pidFile = path.join(dir, `${execId.replace(/[^A-Za-z0-9_.-]/g, '_')}.pid`);
      fs.writeFileSync(spec, JSON.stringify(process));
      return this.withConsole(io, (socket) => {
        const args = ['exec', '--process', spec, '--detach', '--pid-file', pidFile];
        if (socket !== undefined) args.push('--console-socket', socket);
        this.run([...args, id], this.stdioFor(io));
        return { pid: readPid(pidFile) };
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  kill(id: string, signal: number, all: boolean): void {
    this.run(['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }

  delete(id: string, force: boolean): void {
    this.run(['delete', ...(force ? ['--force'] : []), id]);
  }

  pause(id: string): void {
    this.run(['pause', id]);
  }

  resume(id: string): void {
    this.run(['resume', id]);
  }

  update(id: string, resources: LinuxResources): void {
    this.run(['update', '--resources', '-', id], 'pipe', JSON.stringify(resources));
  }

  pids(id: string): number[] {
    const out = this.run(['ps', '--format', 'json', id]).trim();
    const value: unknown = JSON.parse(out === '' ? '[]' : out);
    return Array.isArray(value) ? value.filter((p): p is number => typeof p === 'number') : [];
  }

  status(id: string): RuntimeStatus {
    try {
      const state = JSON.parse(this.run(['state', id])) as { status?: string };
      const s = state.status;
      return s === 'created' || s === 'running' || s === 'paused' || s === 'stopped' ? s : 'unknown';
    } catch (err) {
      if (err instanceof BerthError && err.code === 'NotFound') return 'unknown';
      throw err;
    }
  }
}

function readPid(file: string): number {
  const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
  if (!(pid > 0)) throw internal(`${file}: no pid`);
  return pid;
}

/** runc's messages, to the error kinds containerd derives from them (pkg/process/utils.go). */
function classify(message: string, raw: string, cause: unknown): BerthError {
  const lower = raw.toLowerCase();
  if (lower.includes('does not exist') || lower.includes('not found')) return notFound(message, cause);
  if (lower.includes('not running') || lower.includes('no such process') || lower.includes('not paused') || lower.includes('stopped'))
    return failedPrecondition(message, cause);
  return internal(message, cause);
}
