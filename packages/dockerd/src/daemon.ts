/**
 * berthd's life: pidfile, data and exec roots, the containerd connection
 * (waited for, like dockerd waits for its containerd), the API listeners; close()
 * undoes it all in reverse.
 */
import fs from 'node:fs';
import http from 'node:http';
import { unavailable } from '@berth/errors';
import type { Logger } from '@berth/containerd/log';
import { connectContainerd, type Containerd } from './containerd.js';
import { unixSocketPath, type Flags } from './flags.js';
import { writePidfile } from './pidfile.js';
import { createApp } from './server/app.js';
import { listenUnix } from './server/listen.js';
import { loadEngineId } from './system/engine-id.js';

export interface Daemon {
  close(): Promise<void>;
}

async function waitForContainerd(containerd: Containerd, log: Logger, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await containerd.version.version({}, { deadline: 2_000 });
      log.info('connected to containerd', { address: containerd.address, namespace: containerd.namespace, version: v.version, revision: v.revision });
      return;
    } catch (err) {
      if (Date.now() > end) throw unavailable(`containerd at ${containerd.address} did not answer`, err);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function startDaemon(flags: Flags, log: Logger): Promise<Daemon> {
  if (flags.containerd === undefined) throw unavailable('--containerd is required: berthd does not start its own containerd yet');
  const sockets = flags.hosts.map(unixSocketPath);
  fs.mkdirSync(flags.dataRoot, { recursive: true, mode: 0o711 });
  fs.mkdirSync(flags.execRoot, { recursive: true, mode: 0o700 });
  const removePidfile = writePidfile(flags.pidfile);
  const containerd = connectContainerd(flags.containerd, flags.containerdNamespace);
  const servers: http.Server[] = [];
  try {
    await waitForContainerd(containerd, log);
    const settings = { id: loadEngineId(flags.dataRoot), dataRoot: flags.dataRoot, execRoot: flags.execRoot, debug: flags.logLevel === 'debug' || flags.logLevel === 'trace' };
    const app = createApp(containerd, settings, log);
    for (const socket of sockets) {
      const server = http.createServer(app);
      // streaming endpoints (events, logs, attach) stay open for as long as the client wants
      server.requestTimeout = 0;
      servers.push(server);
      await listenUnix(server, socket, log);
    }
    log.info('daemon has completed initialization', { id: settings.id });
  } catch (err) {
    for (const s of servers) s.close();
    containerd.close();
    removePidfile();
    throw err;
  }
  return {
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      })));
      for (const socket of sockets) fs.rmSync(socket, { force: true });
      containerd.close();
      removePidfile();
    },
  };
}
