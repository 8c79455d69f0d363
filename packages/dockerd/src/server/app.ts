/**
 * The Express application: request logging, the version middleware, the routers,
 * then moby's 404 and error shapes.
 */
import express, { type Express } from 'express';
import type { Logger } from '@berth/containerd/log';
import type { Containerd } from '../containerd.js';
import { imageRoutes } from '../routes/images.js';
import { authRoutes } from '../routes/auth.js';
import { searchRoutes } from '../routes/search.js';
import { containerRoutes } from '../routes/containers.js';
import { containerStreamRoutes } from '../routes/container-streams.js';
import { containerArchiveRoutes } from '../routes/container-archive.js';
import { buildRoutes } from '../routes/build.js';
import { containerAdminRoutes, imageUsers } from '../routes/container-admin.js';
import { eventRoutes } from '../routes/events.js';
import type { Engine } from '../containers/engine.js';
import type { ExecStore } from '../containers/exec.js';
import { swarmRoutes } from '../routes/swarm.js';
import { systemRoutes } from '../routes/system.js';
import { volumeRoutes } from '../routes/volumes.js';
import { networkRoutes } from '../routes/networks.js';
import type { DaemonSettings } from '../system/info.js';
import { apiVersionMiddleware } from './api-version.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { requestLog } from './request-log.js';

export function createApp(containerd: Containerd, settings: DaemonSettings, log: Logger, engine: Engine, execs: ExecStore): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('strict routing', false);
  app.use(requestLog(log));
  app.use(apiVersionMiddleware);
  app.use(systemRoutes(containerd, settings));
  app.use(imageRoutes(containerd, imageUsers(engine)));
  app.use(authRoutes());
  app.use(searchRoutes());
  app.use(containerRoutes(engine, execs));
  app.use(containerStreamRoutes(engine));
  app.use(containerArchiveRoutes(engine));
  app.use(buildRoutes(engine));
  app.use(containerAdminRoutes(engine, execs));
  app.use(volumeRoutes(engine));
  app.use(networkRoutes(engine));
  app.use(eventRoutes(engine.events));
  app.use(swarmRoutes());
  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
