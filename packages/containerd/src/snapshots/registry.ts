/**
 * The snapshotters this daemon runs, by name, each behind its namespaced
 * layer; plus the backend half of garbage collection (containerd's
 * metadata snapshotter garbageCollect): backend snapshots that no namespace
 * references any more are removed leaves first, then leftover directories.
 */
import path from 'node:path';
import { invalidArgument, isBerthError } from '@berth/errors';
import { allNamespaces } from '../gc/namespaces.js';
import { silentLogger, type Logger } from '../log.js';
import type { MetadataDB } from '../metadata/db.js';
import type { SnapshotLeases } from './leases.js';
import { NamespacedSnapshotter } from './metadata.js';
import { nativePluginId, openNative } from './native.js';
import { openOverlay, overlayPluginId, overlaySupported } from './overlay.js';
import { referencedBackendKeys } from './records.js';
import type { Info, Snapshotter } from './types.js';

export const snapshotterPluginType = 'io.containerd.snapshotter.v1';
export const snapshotterRoot = (root: string, id: string) => path.join(root, `${snapshotterPluginType}.${id}`);

export interface SnapshotterStatus {
  id: string;
  root: string;
  /** Why it is not loaded, when it is not. */
  error?: string;
}

export class Snapshotters {
  private constructor(
    private readonly db: MetadataDB,
    private readonly loaded: Map<string, NamespacedSnapshotter>,
    readonly status: SnapshotterStatus[],
    private readonly log: Logger,
  ) {}

  /** Opens overlayfs (when the kernel and filesystem support it) and native under `root`. */
  static async open(db: MetadataDB, root: string, options: { leases?: SnapshotLeases; log?: Logger } = {}): Promise<Snapshotters> {
    const log = options.log ?? silentLogger;
    const loaded = new Map<string, NamespacedSnapshotter>();
    const status: SnapshotterStatus[] = [];
    const add = (sn: Snapshotter) => loaded.set(sn.name, new NamespacedSnapshotter(db, sn, options.leases, log));

    const overlayRoot = snapshotterRoot(root, overlayPluginId);
    const problem = await overlaySupported(overlayRoot);
    if (problem === undefined) add(await openOverlay(overlayRoot, log));
    else log.warn('overlayfs snapshotter not loaded', { error: problem });
    status.push({ id: overlayPluginId, root: overlayRoot, ...(problem === undefined ? {} : { error: problem }) });

    const nativeRoot = snapshotterRoot(root, nativePluginId);
    add(await openNative(nativeRoot, log));
    status.push({ id: nativePluginId, root: nativeRoot });
    return new Snapshotters(db, loaded, status, log);
  }

  names(): string[] {
    return [...this.loaded.keys()];
  }

  /** containerd's snapshot service lookup, with its InvalidArgument messages. */
  get(name: string): NamespacedSnapshotter {
    if (name === '') throw invalidArgument('snapshotter argument missing');
    const sn = this.loaded.get(name);
    if (sn === undefined) throw invalidArgument(`snapshotter not loaded: ${name}`);
    return sn;
  }

  /**
   * Removes backend snapshots of `name` (or of every snapshotter) that no
   * record references, children before parents, then directories nothing
   * owns. Run after records were deleted (Remove, or the collector's sweep).
   */
  async collect(name?: string): Promise<void> {
    for (const sn of name === undefined ? this.loaded.values() : [this.get(name)]) {
      await sn.lock.exclusive(() => this.collectOne(sn));
    }
  }

  private async collectOne(sn: NamespacedSnapshotter): Promise<void> {
    const backend = sn.backend;
    const seen = await this.db.view(async (tx) => referencedBackendKeys(tx, await allNamespaces(tx), backend.name));
    const children = new Map<string, Info[]>();
    for (const info of await backend.walk()) children.set(info.parent, [...(children.get(info.parent) ?? []), info]);
    const prune = async (info: Info): Promise<void> => {
      for (const child of children.get(info.name) ?? []) await prune(child);
      if (seen.has(info.name)) return;
      try {
        await backend.remove(info.name);
        this.log.debug('removed snapshot', { snapshotter: backend.name, key: info.name });
      } catch (err) {
        if (!isBerthError(err, 'FailedPrecondition') && !isBerthError(err, 'NotFound')) throw err;
        this.log.warn('failed to remove snapshot', { snapshotter: backend.name, key: info.name, error: err });
      }
    };
    for (const root of children.get('') ?? []) await prune(root);
    await backend.cleanup();
  }

  async close(): Promise<void> {
    for (const sn of this.loaded.values()) await sn.backend.close();
  }
}
