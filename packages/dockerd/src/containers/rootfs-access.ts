/**
 * Getting at a container's root filesystem from berthd, for cp, export and
 * the like.
 *
 * - A running container: its init's /proc/<pid>/root, the tree the container
 *   itself sees (volumes and bind mounts included, as docker cp sees them),
 *   written through its own overlay mount so copy-up and the dentry cache stay
 *   right. The container is frozen (tasks.pause) for the whole operation: a
 *   process in it cannot swap a checked directory for a symlink between our
 *   resolution and our open (the CVE-2018-15664 race).
 * - A container that is not running: its snapshot mounted on a temp dir,
 *   unmounted afterwards whatever happens; the container's lock is held, so
 *   it cannot start meanwhile (two overlay mounts on one upper dir).
 *
 * Node has no mount(2); util-linux's mount/umount run with the arguments of
 * the snapshot's mounts, as berth-containerd's own mount helper does.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { internal } from '@berth/errors';
import type { Container } from './container.js';
import { snapshotter, type Engine } from './engine.js';
import type { SnapshotMount } from './spec/rootfs-files.js';

const run = promisify(execFile);

const stderrOf = (err: unknown): string => String((err as { stderr?: unknown }).stderr ?? (err as Error).message).trim();

async function mountOne(m: SnapshotMount, target: string): Promise<void> {
  const args = ['-t', m.type, m.source, target, ...(m.options.length > 0 ? ['-o', m.options.join(',')] : [])];
  try {
    await run('mount', args);
  } catch (err) {
    throw internal(`failed to mount the container's filesystem: ${stderrOf(err)}`, err);
  }
}

async function unmount(target: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await run('umount', [target]);
      return;
    } catch (err) {
      const msg = stderrOf(err);
      if (/not mounted/i.test(msg)) return;
      if (i >= 40 || !/busy/i.test(msg)) throw internal(`failed to unmount ${target}: ${msg}`, err);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Mounts on a fresh temp dir, runs fn, and always unmounts and removes the dir. */
export async function withTempMount<T>(mounts: SnapshotMount[], fn: (root: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berthd-rootfs-'));
  let mounted = 0;
  try {
    for (const m of mounts) {
      await mountOne(m, dir);
      mounted++;
    }
    return await fn(dir);
  } finally {
    for (; mounted > 0; mounted--) await unmount(dir);
    await fs.rmdir(dir).catch(() => undefined);
  }
}

/**
 * The same tree, read-only and safe to mount beside a live container: an
 * overlay's upper dir becomes its top lower dir (no upper, no work dir, so
 * the running container's overlay keeps sole use of them), binds get "ro".
 */
export function readonlyMounts(mounts: SnapshotMount[]): SnapshotMount[] {
  return mounts.map((m) => {
    if (m.type !== 'overlay') return { ...m, options: [...m.options.filter((o) => o !== 'rw' && o !== 'ro'), 'ro'] };
    const upper = m.options.find((o) => o.startsWith('upperdir='))?.slice('upperdir='.length);
    const lower = m.options.find((o) => o.startsWith('lowerdir='))?.slice('lowerdir='.length);
    const rest = m.options.filter((o) => !/^(upperdir|lowerdir|workdir)=/.test(o));
    const lowers = [upper, lower].filter((x): x is string => x !== undefined && x !== '').join(':');
    return { ...m, options: [...rest, `lowerdir=${lowers}`] };
  });
}

export async function snapshotMounts(e: Engine, c: Container): Promise<SnapshotMount[]> {
  const { mounts } = await e.ctr.snapshots.mounts({ snapshotter, key: c.id });
  return mounts.map((m) => ({ type: m.type, source: m.source, options: [...m.options] }));
}

const live = (c: Container): boolean => (c.record.state.Status === 'running' || c.record.state.Status === 'paused') && c.record.state.Pid > 0;

/** Runs fn on the container's root, kept still (frozen or not running) until fn's promise settles. */
export function withContainerRoot<T>(e: Engine, c: Container, fn: (root: string) => Promise<T>): Promise<T> {
  return c.serial(async () => {
    if (!live(c)) return withTempMount(await snapshotMounts(e, c), fn);
    const freeze = c.record.state.Status === 'running';
    if (freeze) await e.ctr.tasks.pause({ containerId: c.id });
    try {
      return await fn(`/proc/${c.record.state.Pid}/root`);
    } finally {
      if (freeze) await e.ctr.tasks.resume({ containerId: c.id }).catch((err: unknown) => e.log.warn('resume after a filesystem operation failed', { id: c.id, error: (err as Error).message }));
    }
  });
}
