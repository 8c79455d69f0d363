/**
 * `start`: what berth-containerd runs to get a shim. Spawns the daemon
 * (`serve`) detached, so it is a session leader (setsid) outside containerd's
 * process group, with small-heap V8 flags; waits until it serves; prints its
 * address ("unix:///...") on stdout and exits 0 (the daemon has also written it
 * to <bundle>/address). On failure prints the daemon's error on stderr, exits 1.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { bundleFiles } from '../paths.js';
import { formatFlags, type ShimFlags } from './flags.js';

/**
 * How the daemon's Node is run: a shim is mostly idle, so a small young
 * generation, a capped old generation, no V8 worker threads, and fewer libuv
 * and malloc arenas/threads (measured in README.md: about 3 MiB less private
 * memory per shim than Node's defaults). BERTH_SHIM_NODE_FLAGS (space
 * separated) replaces the flags, for measurements.
 */
export const daemonNodeFlags = ['--max-semi-space-size=1', '--max-old-space-size=32', '--single-threaded'];
const daemonEnv = { UV_THREADPOOL_SIZE: '2', MALLOC_ARENA_MAX: '2' };

const READY_TIMEOUT_MS = 20_000;

/** The daemon runs in /: relative paths given to `start` are made absolute first. */
function absolute(flags: ShimFlags): ShimFlags {
  const abs = (p: string) => (p === '' || p.includes('://') ? p : path.resolve(p));
  return { ...flags, bundle: abs(flags.bundle), socket: abs(flags.socket), address: abs(flags.address), runtimeRoot: abs(flags.runtimeRoot), log: abs(flags.log) };
}

export async function start(given: ShimFlags, entry: string): Promise<number> {
  const flags = absolute(given);
  const nodeFlags = process.env.BERTH_SHIM_NODE_FLAGS?.split(' ').filter(Boolean) ?? daemonNodeFlags;
  // The daemon's raw stderr (a native crash, say) goes to <bundle>/shim.stderr; logs go to shim.log.
  const stderr = flags.bundle !== '' ? fs.openSync(bundleFiles(flags.bundle).stderr, 'a', 0o600) : 'ignore';
  const child = spawn(process.execPath, [...nodeFlags, entry, ...formatFlags(flags), 'serve'], {
    detached: true,
    cwd: '/',
    env: { ...daemonEnv, ...process.env },
    stdio: ['ignore', 'ignore', stderr, 'pipe'],
  });
  if (typeof stderr === 'number') fs.closeSync(stderr);
  const pipe = child.stdio[3] as Readable | null;
  let text = '';
  pipe?.setEncoding('utf8');
  pipe?.on('data', (chunk: string) => {
    text += chunk;
  });
  const outcome = await new Promise<{ address?: string; error?: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ error: `the shim did not serve within ${READY_TIMEOUT_MS / 1000} s` }), READY_TIMEOUT_MS);
    const settle = () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text) as { address?: string; error?: string });
      } catch {
        resolve({ error: `the shim exited before serving${text ? `: ${text.trim()}` : ''}` });
      }
    };
    pipe?.on('end', settle);
    child.on('error', (err) => resolve({ error: err.message }));
  });
  if (outcome.address === undefined) {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    process.stderr.write(`berth-shim: ${outcome.error ?? 'unknown error'}\n`);
    return 1;
  }
  child.unref();
  pipe?.destroy();
  process.stdout.write(`${outcome.address}\n`);
  return 0;
}
