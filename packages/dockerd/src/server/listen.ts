/**
 * The API's listeners, one per -H address. Unix sockets as dockerd makes them:
 * a stale socket file is removed, the socket is mode 0660 and owned by group
 * "berth" when that group exists (dockerd's "docker" group), so members can
 * talk to the daemon without root. tcp:// and systemd's fd:// sockets carry
 * TLS when it is on (never unix sockets, as in dockerd).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import type { Logger } from '@berth/containerd/log';
import { routeUpgrade } from './hijack.js';
import type { ListenAddress } from './tcp-hosts.js';
import type { ServerTls } from './tls-config.js';
import { tlsFront } from './tls-front.js';

export const socketGroup = 'berth';

/** The gid of `name` from /etc/group, or undefined. */
export function groupId(name: string, groupFile = '/etc/group'): number | undefined {
  try {
    for (const line of fs.readFileSync(groupFile, 'utf8').split('\n')) {
      const [group, , gid] = line.split(':');
      if (group === name && gid !== undefined) return Number(gid);
    }
  } catch {
    // no group file: no group
  }
  return undefined;
}

export async function listenUnix(server: http.Server, socketPath: string, log: Logger): Promise<void> {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o755 });
  try {
    fs.unlinkSync(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // the umask makes the socket 0660 from its first moment (no window at 0777-umask)
  const oldMask = process.umask(0o117);
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(socketPath, () => {
        server.off('error', onError);
        resolve();
      });
    });
  } finally {
    process.umask(oldMask);
  }
  const gid = groupId(socketGroup);
  if (gid !== undefined) fs.chownSync(socketPath, process.getuid?.() ?? 0, gid);
  fs.chmodSync(socketPath, 0o660);
  log.info('API listen on', { socket: socketPath, group: gid === undefined ? 'root' : socketGroup });
}

export interface ApiListener {
  close(): Promise<void>;
}

/** A tcp address, or an inherited listening socket (net.Server.listen's handle form). */
type BindTarget = net.ListenOptions | { fd: number };

function bind(server: net.Server, target: BindTarget): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    if ('fd' in target) server.listen(target, onListening);
    else server.listen(target, onListening);
  });
}

/** One listener for `target` (a tcp address or an inherited fd), with TLS when `tls` is given. */
async function serveOn(target: BindTarget, app: http.RequestListener, tls: ServerTls | undefined): Promise<ApiListener> {
  const server = tls ? https.createServer(tls.options, app) : http.createServer(app);
  const closeUpgrades = routeUpgrade(server, app);
  // streaming endpoints (events, logs, attach) stay open for as long as the client wants
  server.requestTimeout = 0;
  if (tls) {
    const front = tlsFront(server as https.Server);
    await bind(front.raw, target);
    return { close: async () => { closeUpgrades(); await front.close(); } };
  }
  await bind(server, target);
  return { close: () => closeServer(server, closeUpgrades) };
}

function closeServer(server: http.Server, closeUpgrades: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    closeUpgrades();
  });
}

/** Serves the API on one -H address. */
export async function serveHost(addr: ListenAddress, app: http.RequestListener, tls: ServerTls | undefined, log: Logger): Promise<ApiListener> {
  switch (addr.kind) {
    case 'unix': {
      const server = http.createServer(app);
      const closeUpgrades = routeUpgrade(server, app);
      server.requestTimeout = 0;
      await listenUnix(server, addr.path, log);
      return {
        close: async () => {
          await closeServer(server, closeUpgrades);
          fs.rmSync(addr.path, { force: true });
        },
      };
    }
    case 'tcp': {
      const l = await serveOn({ host: addr.address, port: addr.port }, app, tls);
      log.info('API listen on', { host: addr.host, tls: tls !== undefined, verify: tls?.verify ?? false });
      return l;
    }
    case 'fd': {
      // planListeners resolved fd:// to the activated fds, one address each
      if (addr.fd === undefined) throw new Error('fd:// was not resolved to activated fds');
      const l = await serveOn({ fd: addr.fd }, app, tls);
      log.info('API listen on', { host: addr.host, tls: tls !== undefined, verify: tls?.verify ?? false });
      return l;
    }
  }
}
