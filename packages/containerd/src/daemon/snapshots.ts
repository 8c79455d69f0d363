/**
 * The snapshotters (overlayfs, native) and the diff service, wired for the
 * daemon: snapshot records in the metadata database, snapshots in leases and
 * in the garbage collector, their gRPC services, and their rows in the
 * plugin table at containerd 1.6's places.
 */
import type * as grpc from '@grpc/grpc-js';
import { Diff } from '../gen/containerd/services/diff/v1/diff_pb.js';
import type { Plugin } from '../gen/containerd/services/introspection/v1/introspection_pb.js';
import { Snapshots } from '../gen/containerd/services/snapshots/v1/snapshots_pb.js';
import { storeContent } from '../diff/content.js';
import { diffService } from '../diff/service.js';
import type { Exchange } from '../events/exchange.js';
import { serveService, type ServeOptions } from '../grpc/serve.js';
import { addLeaseResource, removeLeaseResource } from '../leases/resources.js';
import type { Logger } from '../log.js';
import type { MetadataDB } from '../metadata/db.js';
import { plugin } from '../services/introspection.js';
import { snapshotGcStore } from '../snapshots/gc.js';
import type { SnapshotLeases } from '../snapshots/leases.js';
import { Snapshotters, snapshotterPluginType } from '../snapshots/registry.js';
import { snapshotsService } from '../snapshots/service.js';
import type { Storage } from './storage.js';

const platform = { os: 'linux', architecture: process.arch === 'x64' ? 'amd64' : process.arch };
const differPluginType = 'io.containerd.differ.v1';

export interface SnapshotsAndDiff {
  snapshotters: Snapshotters;
  /** Inserts this part's rows into the plugin table. */
  addPlugins(plugins: Plugin[]): void;
  /** Registers the snapshots and diff services; returns their names (for health). */
  serve(server: grpc.Server, options: ServeOptions): string[];
  close(): Promise<void>;
}

const leases: SnapshotLeases = {
  add: (tx, ns, lease, r) => addLeaseResource(tx, ns, lease, r),
  remove: async (tx, ns, lease, r) => removeLeaseResource(tx, ns, lease, r),
};

/** Inserts `row` after the last row of `type` (or of `after` when there is none), keeping ids sorted within the type. */
function insert(plugins: Plugin[], row: Plugin, after: string): void {
  let at = -1;
  for (let i = 0; i < plugins.length; i++) {
    const p = plugins[i]!;
    if (p.type === row.type && p.id !== 'introspection' && p.id !== 'introspection-service' && p.id > row.id) break;
    if (p.type === row.type || p.type === after) at = i;
  }
  plugins.splice(at + 1, 0, row);
}

export async function openSnapshotsAndDiff(
  root: string,
  db: MetadataDB,
  events: Exchange,
  storage: Storage,
  log: Logger,
): Promise<SnapshotsAndDiff> {
  const snapshotters = await Snapshotters.open(db, root, { leases, log: log.with({ module: 'snapshots' }) });
  storage.gc.collector.register(snapshotGcStore(snapshotters));
  const content = storeContent(storage.content);
  return {
    snapshotters,
    addPlugins(plugins) {
      for (const s of [...snapshotters.status].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        insert(
          plugins,
          plugin({
            type: snapshotterPluginType,
            id: s.id,
            platforms: [platform],
            exports: { root: s.root },
            ...(s.error === undefined ? {} : { initErr: { code: 9, message: `skip plugin: ${s.error}` } }),
          }),
          'io.containerd.content.v1',
        );
      }
      insert(plugins, plugin({ type: differPluginType, id: 'walking', requires: ['io.containerd.metadata.v1'], platforms: [platform] }), 'io.containerd.metadata.v1');
      const service = 'io.containerd.service.v1';
      insert(plugins, plugin({ type: service, id: 'diff-service', requires: [differPluginType] }), service);
      insert(plugins, plugin({ type: service, id: 'snapshots-service', requires: ['io.containerd.event.v1', 'io.containerd.metadata.v1'] }), service);
      insert(plugins, plugin({ type: 'io.containerd.grpc.v1', id: 'diff', requires: [service] }), 'io.containerd.grpc.v1');
      insert(plugins, plugin({ type: 'io.containerd.grpc.v1', id: 'snapshots', requires: [service] }), 'io.containerd.grpc.v1');
    },
    serve(server, options) {
      serveService(server, Snapshots, snapshotsService(snapshotters, events), options);
      serveService(server, Diff, diffService(content), options);
      return [Snapshots.typeName, Diff.typeName];
    },
    close: () => snapshotters.close(),
  };
}
