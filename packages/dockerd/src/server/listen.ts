/**
 * Unix socket listeners as dockerd makes them: a stale socket file is removed,
 * the socket is mode 0660 and owned by group "berth" when that group exists
 * (dockerd's "docker" group), so members can talk to the daemon without root.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Logger } from '@berth/containerd/log';

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
