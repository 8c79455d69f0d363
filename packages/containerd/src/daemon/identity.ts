/**
 * The server's identity for introspection.Server: a UUID made once and kept
 * under <root>/io.containerd.grpc.v1.introspection/uuid (containerd's place),
 * the pid, and the pid namespace inode.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ServerIdentity } from '../services/introspection.js';

async function loadOrCreateUuid(root: string): Promise<string> {
  const dir = path.join(root, 'io.containerd.grpc.v1.introspection');
  const file = path.join(dir, 'uuid');
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (/^[0-9a-f-]{36}$/.test(existing)) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o711 });
  const uuid = randomUUID();
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, uuid, { mode: 0o644 });
  await fs.rename(tmp, file);
  return uuid;
}

async function pidNamespace(): Promise<number> {
  try {
    return (await fs.stat('/proc/self/ns/pid')).ino;
  } catch {
    return 0;
  }
}

export async function serverIdentity(root: string): Promise<ServerIdentity> {
  return { uuid: await loadOrCreateUuid(root), pid: process.pid, pidns: await pidNamespace() };
}
