/**
 * dockerd's pidfile: refuse to start when the file names a live process, write
 * our pid, remove it on shutdown.
 */
import fs from 'node:fs';
import path from 'node:path';
import { failedPrecondition } from '@berth/errors';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return pid > 0 ? pid : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function writePidfile(file: string): () => void {
  const old = readPid(file);
  if (old !== undefined && old !== process.pid && alive(old)) {
    throw failedPrecondition(`pid file found, ensure berthd is not running or delete ${file}`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${process.pid}`);
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8').trim() === `${process.pid}`) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  };
}
