/**
 * mount(2) and umount(2) for snapshot mounts. Node cannot call mount(2) itself
 * (no binding, and the native core lives in berth-runc), so this runs
 * util-linux's `mount`/`umount` with the exact arguments `ctr snapshots mounts`
 * prints: `mount -t <type> <source> <target> -o <options>`. libmount handles
 * "bind"/"rbind" with "ro" (bind, then remount read-only) as containerd's
 * mount.Mount does. Every mount made here is undone by exact path.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { internal } from '@berth/errors';
import type { Mount } from './types.js';

const run = promisify(execFile);

function stderrOf(err: unknown): string {
  const e = err as { stderr?: unknown; message?: unknown };
  const text = typeof e.stderr === 'string' && e.stderr.trim() !== '' ? e.stderr : String(e.message ?? err);
  return text.trim();
}

export function mountArgs(m: Mount, target: string): string[] {
  const args = ['-t', m.type, m.source, target];
  if (m.options.length > 0) args.push('-o', m.options.join(','));
  return args;
}

export async function mount(m: Mount, target: string): Promise<void> {
  try {
    await run('mount', mountArgs(m, target));
  } catch (err) {
    throw internal(`failed to mount ${m.source} on ${target} (type ${m.type}): ${stderrOf(err)}`, err);
  }
}

/** Mounts each in turn on the same target (containerd's mount.All). */
export async function mountAll(mounts: Mount[], target: string): Promise<void> {
  for (let i = 0; i < mounts.length; i++) {
    try {
      await mount(mounts[i]!, target);
    } catch (err) {
      for (let j = 0; j < i; j++) await unmount(target).catch(() => undefined);
      throw err;
    }
  }
}

/** Unmounts exactly `target`, retrying while it is busy (as containerd does, 50 ms apart). */
export async function unmount(target: string, attempts = 40): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await run('umount', [target]);
      return;
    } catch (err) {
      const message = stderrOf(err);
      if (/not mounted|no mount point specified/i.test(message)) return;
      if (i >= attempts || !/busy/i.test(message)) throw internal(`failed to unmount ${target}: ${message}`, err);
      await sleep(50);
    }
  }
}

/** Mounts on a fresh temp dir, runs fn, unmounts and removes the dir whatever happens. */
export async function withTempMount<T>(mounts: Mount[], fn: (root: string) => Promise<T>, tmpRoot = os.tmpdir()): Promise<T> {
  const dir = await fs.mkdtemp(path.join(tmpRoot, 'berth-mount-'));
  try {
    await mountAll(mounts, dir);
    try {
      return await fn(dir);
    } finally {
      for (let i = 0; i < mounts.length; i++) await unmount(dir);
    }
  } finally {
    await fs.rmdir(dir).catch(() => undefined);
  }
}
