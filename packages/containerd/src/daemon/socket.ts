/**
 * The daemon's unix socket: the parent directory is created (0711, like
 * containerd's state dirs), a stale socket left by a crashed daemon is removed,
 * but a live one (something accepts connections) is never stolen. The socket is
 * made 0660 after binding so only root (and the socket's group) can talk to it.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { failedPrecondition, invalidArgument } from '@berth/errors';

/** Accepts "/path" or "unix:///path". */
export function socketPath(address: string): string {
  const p = address.startsWith('unix://') ? address.slice('unix://'.length) : address;
  if (p === '') throw invalidArgument('grpc address must not be empty');
  if (p.includes('://')) throw invalidArgument(`unsupported grpc address ${JSON.stringify(address)} (unix sockets only)`);
  // sun_path is 108 bytes including the terminating NUL.
  if (Buffer.byteLength(p) > 107) throw invalidArgument(`socket path ${p} is too long for a unix socket`);
  return path.resolve(p);
}

function isLive(p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect(p);
    conn.once('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.once('error', () => resolve(false));
  });
}

export async function prepareSocket(p: string): Promise<void> {
  await fs.mkdir(path.dirname(p), { recursive: true, mode: 0o711 });
  let st;
  try {
    st = await fs.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) throw failedPrecondition(`${p} exists and is not a socket`);
  if (await isLive(p)) throw failedPrecondition(`${p} is in use by another daemon`);
  await fs.rm(p, { force: true });
}
