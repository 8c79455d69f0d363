/**
 * The content store, leases, images and the garbage collector, wired
 * together for the daemon: their stores over the metadata database, their
 * gRPC services, and their rows in the plugin table (as containerd 1.6
 * lists them). Other stores plug into the collector with
 * `storage.gc.collector.register(...)` and tell the scheduler about their
 * deletions with `storage.gc.scheduler.mutated(true)`.
 */
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { Content } from '../gen/containerd/services/content/v1/content_pb.js';
import { Images } from '../gen/containerd/services/images/v1/images_pb.js';
import type { Plugin } from '../gen/containerd/services/introspection/v1/introspection_pb.js';
import { Leases } from '../gen/containerd/services/leases/v1/leases_pb.js';
import { LocalStore } from '../content/local-store.js';
import { goDuration } from '../content/locks.js';
import { contentService } from '../content/service.js';
import { ContentStore } from '../content/store.js';
import type { Exchange } from '../events/exchange.js';
import { Collector } from '../gc/collector.js';
import { GcScheduler, type SchedulerOptions } from '../gc/scheduler.js';
import { serveService, type ServeOptions } from '../grpc/serve.js';
import { imagesService } from '../images/service.js';
import { ImageStore } from '../images/store.js';
import { leasesService } from '../leases/service.js';
import { LeaseStore } from '../leases/store.js';
import type { Logger } from '../log.js';
import type { MetadataDB } from '../metadata/db.js';
import { plugin } from '../services/introspection.js';

export const contentPluginType = 'io.containerd.content.v1';
export const gcPluginType = 'io.containerd.gc.v1';

export const contentRoot = (root: string) => path.join(root, `${contentPluginType}.content`);

/** containerd's gc scheduler defaults, as the plugin exports them. */
const gcDefaults: Required<Pick<SchedulerOptions, 'pauseThreshold' | 'deletionThreshold' | 'mutationThreshold' | 'scheduleDelayMs'>> = {
  pauseThreshold: 0.02,
  deletionThreshold: 0,
  mutationThreshold: 100,
  scheduleDelayMs: 0,
};

/** The plugin table rows of this part, in containerd's order within each type. */
export function storagePluginRows(root: string): { early: Plugin[]; services: Plugin[]; grpc: Plugin[] } {
  const metadata = 'io.containerd.metadata.v1';
  const service = 'io.containerd.service.v1';
  return {
    early: [
      plugin({ type: contentPluginType, id: 'content', exports: { root: contentRoot(root) } }),
      plugin({
        type: gcPluginType,
        id: 'scheduler',
        requires: [metadata],
        exports: {
          PauseThreshold: String(gcDefaults.pauseThreshold),
          DeletionThreshold: String(gcDefaults.deletionThreshold),
          MutationThreshold: String(gcDefaults.mutationThreshold),
          ScheduleDelay: goDuration(BigInt(gcDefaults.scheduleDelayMs) * 1_000_000n),
        },
      }),
    ],
    services: [
      plugin({ type: service, id: 'content-service', requires: ['io.containerd.event.v1', metadata] }),
      plugin({ type: service, id: 'images-service', requires: [metadata, gcPluginType] }),
      plugin({ type: service, id: 'leases-service', requires: [metadata] }),
    ],
    grpc: [
      plugin({ type: 'io.containerd.grpc.v1', id: 'content', requires: [service] }),
      plugin({ type: 'io.containerd.grpc.v1', id: 'images', requires: [service] }),
      plugin({ type: 'io.containerd.grpc.v1', id: 'leases', requires: [service] }),
    ],
  };
}

export interface Storage {
  content: ContentStore;
  leases: LeaseStore;
  images: ImageStore;
  gc: { collector: Collector; scheduler: GcScheduler };
  /** Registers the content, images and leases services; returns their names (for health). */
  serve(server: grpc.Server, options: ServeOptions): string[];
  close(): Promise<void>;
}

export async function openStorage(root: string, db: MetadataDB, events: Exchange, log: Logger): Promise<Storage> {
  const backend = await LocalStore.open(contentRoot(root), log.with({ module: 'content' }));
  // The scheduler is created last but the stores report to it from the start.
  let scheduler: GcScheduler | undefined;
  const mutated = (deleted: boolean) => scheduler?.mutated(deleted);
  const content = new ContentStore(db, backend, mutated, log.with({ module: 'content' }));
  const leases = new LeaseStore(db, mutated);
  const images = new ImageStore(db, mutated);
  const collector = new Collector(db, content, log.with({ module: 'gc' }));
  scheduler = new GcScheduler(() => collector.collect(), gcDefaults, log.with({ module: 'gc' }));
  const gc = scheduler;

  return {
    content,
    leases,
    images,
    gc: { collector, scheduler: gc },
    serve(server, options) {
      serveService(server, Content, contentService(content, events), options);
      serveService(server, Images, imagesService(images, events, gc), options);
      serveService(server, Leases, leasesService(leases, gc), options);
      return [Content.typeName, Images.typeName, Leases.typeName];
    },
    close: () => gc.close(),
  };
}
