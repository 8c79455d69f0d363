/**
 * The shim's socket: its directory made 0711, a stale socket (no one answers)
 * replaced, a live one refused (another shim serves there), the socket 0600.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { alreadyExists, internal } from '@berth/errors';

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function listenSocket(server: grpc.Server, socketPath: string): Promise<void> {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o711 });
  if (fs.existsSync(socketPath)) {
    if (await answers(socketPath)) throw alreadyExists(`${socketPath}: another process serves on this socket`);
    fs.rmSync(socketPath, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(internal(`listen on ${socketPath}: ${err.message}`, err)) : resolve(),
    );
  });
  fs.chmodSync(socketPath, 0o600);
}
