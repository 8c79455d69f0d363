/**
 * Starts berth-shim for one container and connects to it. The contract
 * (packages/shim/README.md): `berth-shim -namespace NS -id ID -address
 * <containerd socket> -bundle DIR start` daemonizes a shim (setsid, subreaper)
 * and prints its address ("unix:///...") once it serves; the same address is
 * in <bundle>/address, which is how a restarted daemon finds its shims again.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { internal } from '@berth/errors';

const run = promisify(execFile);

/** BERTH_SHIM_BINARY, else the repo's bin/berth-shim, else berth-shim on PATH. */
export function shimBinary(): string {
  if (process.env.BERTH_SHIM_BINARY) return process.env.BERTH_SHIM_BINARY;
  // dist/tasks/shim-launcher.js (or src/tasks/...) -> <repo>/bin/berth-shim
  const repoBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/berth-shim');
  return fs.existsSync(repoBin) ? repoBin : 'berth-shim';
}

export interface ShimLaunch {
  namespace: string;
  id: string;
  bundle: string;
  /** containerd's own socket: the shim publishes task events there. */
  containerdAddress: string;
}

export async function startShim(l: ShimLaunch): Promise<string> {
  return launch(['-namespace', l.namespace, '-id', l.id, '-address', l.containerdAddress, '-bundle', l.bundle, 'start']);
}

/** A spare shim: no container yet (random socket); the first Create binds it. */
/** A spare on a socket path the caller chose (and recorded) beforehand. */
export async function startSpareShim(containerdAddress: string, socket: string): Promise<string> {
  return launch(['-address', containerdAddress, '-socket', socket, 'start']);
}

async function launch(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(shimBinary(), args, { timeout: 30_000 });
    const address = stdout.trim().split('\n').pop() ?? '';
    if (!address.startsWith('unix://')) throw internal(`berth-shim start printed no address: ${JSON.stringify(stdout)}`);
    return address;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw internal(`failed to start shim: ${(e.stderr ?? '').trim() || e.message}`, err);
  }
}

/** What `berth-shim delete` prints: the recorded exit, or 137 and now. */
export interface DeadShimExit {
  pid: number;
  exitStatus: number;
  exitedAt: Date;
}

/**
 * `berth-shim delete`: cleans up after a shim that is gone (runtime delete,
 * unmount) and returns the task's exit as the shim recorded it (undefined
 * when the cleanup failed or printed nothing usable).
 */
export async function cleanupDeadShim(l: ShimLaunch): Promise<DeadShimExit | undefined> {
  const args = ['-namespace', l.namespace, '-id', l.id, '-address', l.containerdAddress, '-bundle', l.bundle, 'delete'];
  try {
    const { stdout } = await run(shimBinary(), args, { timeout: 30_000 });
    const r = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { pid?: unknown; exitStatus?: unknown; exitedAt?: unknown };
    const exitedAt = typeof r.exitedAt === 'string' ? new Date(r.exitedAt) : new Date();
    return {
      pid: typeof r.pid === 'number' ? r.pid : 0,
      exitStatus: typeof r.exitStatus === 'number' ? r.exitStatus : 137,
      exitedAt: Number.isNaN(exitedAt.getTime()) ? new Date() : exitedAt,
    };
  } catch {
    return undefined;
  }
}
