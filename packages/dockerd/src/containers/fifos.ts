/**
 * The stdio fifos of one process (the container's init or an exec): made by
 * berthd before the task exists (the shim opens the other ends), opened by
 * berthd after. Output fifos are opened O_RDONLY|O_NONBLOCK once the shim holds
 * the write end, so EOF means "the shim closed it" (the process is done and
 * its output copied); the shim's own idle read end keeps data written while
 * berthd was away, so a restarted berthd reads it all.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface FifoSet {
  stdin: string;
  stdout: string;
  stderr: string;
}

export function fifoPaths(dir: string, processId: string, wantStdin: boolean, tty: boolean): FifoSet {
  return {
    stdin: wantStdin ? path.join(dir, `${processId}-stdin`) : '',
    stdout: path.join(dir, `${processId}-stdout`),
    // with a TTY, stdout and stderr are one stream
    stderr: tty ? '' : path.join(dir, `${processId}-stderr`),
  };
}

export function makeFifos(dir: string, set: FifoSet): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = [set.stdin, set.stdout, set.stderr].filter((p) => p !== '' && !fs.existsSync(p));
  if (paths.length > 0) execFileSync('mkfifo', ['-m', '600', ...paths]);
}

export function removeFifos(set: FifoSet): void {
  for (const p of [set.stdin, set.stdout, set.stderr]) if (p !== '') fs.rmSync(p, { force: true });
}

export function openOutputFifo(p: string): net.Socket {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return new net.Socket({ fd, readable: true, writable: false });
}

/**
 * The write end of a stdin fifo, opened O_RDWR: that never blocks or fails
 * with ENXIO when the shim has not opened its read end yet (an exec's), and
 * closing it is still the last writer going, which the process reads as EOF.
 */
export function openInputFifo(p: string): net.Socket {
  const fd = fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const s = new net.Socket({ fd, readable: false, writable: true });
  // the container closing its stdin is not berthd's error
  s.on('error', () => undefined);
  return s;
}
