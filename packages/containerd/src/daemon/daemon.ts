/**
 * One running berth-containerd: root and state directories, the metadata
 * database, the event exchange and the gRPC server on its unix socket.
 * `close()` stops accepting calls, lets running ones finish briefly, then
 * closes the database.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { internal } from '@berth/errors';
import { Containers } from '../gen/containerd/services/containers/v1/containers_pb.js';
import { ContainerStore } from '../containers/store.js';
import { containersService } from '../containers/service.js';
import { Events } from '../gen/containerd/services/events/v1/events_pb.js';
import { TaskExitSchema } from '../gen/containerd/events/task_pb.js';
import { Tasks } from '../gen/containerd/services/tasks/v1/tasks_pb.js';
import { ShimRegistry } from '../tasks/shims.js';
import { SpareShims } from '../tasks/spare.js';
import { tasksService } from '../tasks/service.js';
import { Health } from '../gen/grpc/health/v1/health_pb.js';
import { Introspection } from '../gen/containerd/services/introspection/v1/introspection_pb.js';
import { Namespaces } from '../gen/containerd/services/namespaces/v1/namespace_pb.js';
import { Version } from '../gen/containerd/services/version/v1/version_pb.js';
import { Exchange } from '../events/exchange.js';
import { maxMessageSize } from '../grpc/client.js';
import { serveService } from '../grpc/serve.js';
import type { Logger } from '../log.js';
import { MetadataDB } from '../metadata/db.js';
import { NamespaceStore } from '../metadata/namespaces.js';
import { eventsService } from '../services/events.js';
import { healthService, HealthState } from '../services/health.js';
import { introspectionService } from '../services/introspection.js';
import { namespacesService } from '../services/namespaces.js';
import { versionService, type VersionInfo } from '../services/version.js';
import type { Config } from './config.js';
import { serverIdentity } from './identity.js';
import { metadataPath, servedPlugins } from './plugins.js';
import { openSnapshotsAndDiff } from './snapshots.js';
import { openStorage, type Storage } from './storage.js';
import { prepareSocket, socketPath } from './socket.js';

export interface Daemon {
  readonly address: string;
  readonly db: MetadataDB;
  readonly events: Exchange;
  readonly storage: Storage;
  close(graceMs?: number): Promise<void>;
}

function bind(server: grpc.Server, address: string): Promise<void> {
  return new Promise((resolve, reject) =>
    server.bindAsync(`unix://${address}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(internal(`cannot listen on ${address}: ${err.message}`, err)) : resolve(),
    ),
  );
}

export async function startDaemon(config: Config, version: VersionInfo, log: Logger): Promise<Daemon> {
  const root = path.resolve(config.root);
  const state = path.resolve(config.state);
  const address = socketPath(config.grpc.address);
  await fs.mkdir(root, { recursive: true, mode: 0o711 });
  await fs.mkdir(state, { recursive: true, mode: 0o711 });

  const db = await MetadataDB.open(metadataPath(root));
  const events = new Exchange(log.with({ module: 'events' }));
  const identity = await serverIdentity(root);
  const plugins = servedPlugins(root);
  const storage = await openStorage(root, db, events, log);
  const layers = await openSnapshotsAndDiff(root, db, events, storage, log);
  layers.addPlugins(plugins);

  const server = new grpc.Server({
    'grpc.max_receive_message_length': maxMessageSize,
    'grpc.max_send_message_length': maxMessageSize,
  });
  const opts = { log: log.with({ module: 'grpc' }) };
  serveService(server, Version, versionService(version), opts);
  serveService(server, Introspection, introspectionService(() => plugins, identity), opts);
  serveService(server, Namespaces, namespacesService(new NamespaceStore(db), events), opts);
  const containers = new ContainerStore(db, (deleted) => storage.gc.scheduler.mutated(deleted));
  serveService(server, Containers, containersService(containers, events), opts);
  // Shims outlive us: find the ones still running before serving any call.
  const shims = new ShimRegistry(state, address, log.with({ module: 'tasks' }), (ns, id, exit) => {
    events.publish(ns, '/tasks/exit', TaskExitSchema, { containerId: id, id, pid: exit.pid, exitStatus: exit.exitStatus, exitedAt: timestampFromDate(exit.exitedAt) });
  });
  await shims.reconnectAll();
  const spares = new SpareShims(state, address, log.with({ module: 'tasks' }));
  serveService(server, Tasks, tasksService({ containers, shims, spares, state, containerdAddress: address, log: log.with({ module: 'tasks' }) }), opts);
  serveService(server, Events, eventsService(events), opts);
  const storageServices = [...storage.serve(server, opts), ...layers.serve(server, opts)];
  const health = new HealthState(new Set([...[Version, Introspection, Namespaces, Containers, Tasks, Events].map((s) => s.typeName), ...storageServices]));
  serveService(server, Health, healthService(health), opts);

  try {
    await prepareSocket(address);
    await bind(server, address);
    await fs.chmod(address, 0o660);
  } catch (err) {
    server.forceShutdown();
    await storage.close();
    await layers.close();
    await db.close();
    throw err;
  }
  log.info('serving...', { address, root, state, uuid: identity.uuid });
  // After binding: a spare publishes its events to our socket.
  await spares.init();

  let closing: Promise<void> | undefined;
  return {
    address,
    db,
    events,
    storage,
    close(graceMs = 2000) {
      closing ??= (async () => {
        health.stopServing();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, graceMs);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        await spares.close();
        shims.closeAll();
        await storage.close();
        await layers.close();
        await db.close();
        await fs.rm(address, { force: true });
      })();
      return closing;
    },
  };
}
