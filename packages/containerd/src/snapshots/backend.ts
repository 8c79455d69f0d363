/**
 * What the overlayfs and native snapshotters share (both are containerd's
 * "one directory per snapshot id" design): the metadata store, creating a
 * snapshot directory as new-XXXX and renaming it to snapshots/<id> only once
 * it is complete, usage at commit, removal after the record is gone, and
 * Cleanup of directories no record owns. A Layout supplies what differs:
 * what goes in the directory and which mounts describe it.
 *
 * Directory work happens inside the store's write transaction (one writer at
 * a time), so Cleanup never mistakes a snapshot being created for garbage.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { failedPrecondition } from '@berth/errors';
import { silentLogger, type Logger } from '../log.js';
import { MetadataDB } from '../metadata/db.js';
import * as storage from './storage.js';
import type { Info, Kind, Mount, Snapshotter, Usage } from './types.js';
import { diskUsage } from './usage.js';
import { rewrap } from './wrap.js';

export interface Layout {
  /** Whether a snapshot of this kind gets a directory (native views of a parent do not). */
  needsDir(kind: Kind, hasParent: boolean): boolean;
  /** Fills a new snapshot directory (td, not yet renamed into place). */
  populate(td: string, kind: Kind, parentId: string | undefined): Promise<void>;
  /** The directory whose contents are the snapshot's own changes (what Usage measures). */
  dataPath(id: string): string;
  mounts(s: storage.Snapshot): Mount[];
  /** How Mounts errors are prefixed (the two containerd snapshotters differ). */
  readonly mountsError: string;
}

export class DirSnapshotter implements Snapshotter {
  private constructor(
    readonly name: string,
    readonly root: string,
    private readonly db: MetadataDB,
    private readonly layout: Layout,
    private readonly log: Logger,
  ) {}

  static async open(name: string, root: string, layout: (root: string) => Layout, log = silentLogger): Promise<DirSnapshotter> {
    await fs.mkdir(path.join(root, 'snapshots'), { recursive: true, mode: 0o700 });
    await fs.chmod(root, 0o700);
    const db = await MetadataDB.open(path.join(root, 'metadata.level'));
    return new DirSnapshotter(name, root, db, layout(root), log);
  }

  private get snapshotsDir(): string {
    return path.join(this.root, 'snapshots');
  }

  async stat(key: string): Promise<Info> {
    return this.db.view(async (tx) => (await storage.getInfo(tx, key)).info);
  }

  async update(name: string, labels: Record<string, string>, paths: string[]): Promise<Info> {
    return this.db.update((tx) => storage.updateInfo(tx, name, labels, paths));
  }

  /** Active snapshots are measured now; committed ones report what was measured at commit. */
  async usage(key: string): Promise<Usage> {
    const { id, info, usage } = await this.db.view((tx) => storage.getInfo(tx, key));
    return info.kind === 'active' ? diskUsage(this.layout.dataPath(id)) : usage;
  }

  async mounts(key: string): Promise<Mount[]> {
    try {
      const s = await this.db.view((tx) => storage.getSnapshot(tx, key));
      return this.layout.mounts(s);
    } catch (err) {
      throw rewrap(err, this.layout.mountsError);
    }
  }

  prepare(key: string, parent: string, labels: Record<string, string>): Promise<Mount[]> {
    return this.create('active', key, parent, labels);
  }

  view(key: string, parent: string, labels: Record<string, string>): Promise<Mount[]> {
    return this.create('view', key, parent, labels);
  }

  private create(kind: Kind, key: string, parent: string, labels: Record<string, string>): Promise<Mount[]> {
    return this.db.update(async (tx) => {
      const s = await storage.createSnapshot(tx, kind, key, parent, labels).catch((err: unknown) => {
        throw rewrap(err, 'failed to create snapshot');
      });
      if (!this.layout.needsDir(kind, s.parentIds.length > 0)) return this.layout.mounts(s);
      const td = await fs.mkdtemp(path.join(this.snapshotsDir, 'new-'));
      try {
        await this.layout.populate(td, kind, s.parentIds[0]);
        await fs.rename(td, path.join(this.snapshotsDir, s.id));
      } catch (err) {
        await fs.rm(td, { recursive: true, force: true });
        throw err;
      }
      return this.layout.mounts(s);
    });
  }

  async commit(name: string, key: string, labels: Record<string, string>): Promise<void> {
    await this.db.update(async (tx) => {
      const { id, info } = await storage.getInfo(tx, key);
      // Checked before measuring: a native view has no directory to measure
      // (containerd fails there with a bare lstat error).
      if (info.kind !== 'active') throw failedPrecondition(`failed to commit snapshot: snapshot ${JSON.stringify(key)} is not active`);
      const usage = await diskUsage(this.layout.dataPath(id));
      await storage.commitActive(tx, key, name, usage, labels).catch((err: unknown) => {
        throw rewrap(err, 'failed to commit snapshot');
      });
    });
  }

  async remove(key: string): Promise<void> {
    const { id } = await this.db.update((tx) => storage.removeSnapshot(tx, key)).catch((err: unknown) => {
      throw rewrap(err, 'failed to remove');
    });
    // The record is gone; a failure here leaves garbage for Cleanup, not a broken snapshot.
    await fs.rm(path.join(this.snapshotsDir, id), { recursive: true, force: true }).catch((err: unknown) =>
      this.log.warn('failed to remove directory', { id, error: err }),
    );
  }

  async walk(): Promise<Info[]> {
    return this.db.view((tx) => storage.walkInfo(tx));
  }

  async cleanup(): Promise<void> {
    // Inside a write transaction: no snapshot is being created while we look.
    const garbage = await this.db.update(async (tx) => {
      const ids = await storage.idMap(tx);
      return (await fs.readdir(this.snapshotsDir)).filter((d) => !ids.has(d));
    });
    for (const d of garbage) {
      await fs.rm(path.join(this.snapshotsDir, d), { recursive: true, force: true }).catch((err: unknown) =>
        this.log.warn('failed to remove directory', { path: d, error: err }),
      );
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
