/**
 * Anonymous pipes without pipe(2) (Node has none): a fifo made in the shim's
 * private directory, opened at both ends, then unlinked, is a pipe. The
 * container's end is blocking (programs expect blocking stdio); the shim's end
 * is non-blocking (libuv polls it). Pipes rather than socketpairs because a
 * container may open /dev/stdout (/proc/self/fd/1), which fails on a socket.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Pipe {
  /** Read end. */
  r: number;
  /** Write end. */
  w: number;
}

let counter = 0;

export type MakeFifo = (path: string, mode: number) => void;

/** `shimEnd` says which end the shim keeps (and opens non-blocking). */
export function makePipe(dir: string, mkfifo: MakeFifo, shimEnd: 'r' | 'w'): Pipe {
  const p = path.join(dir, `pipe-${process.pid}-${++counter}`);
  mkfifo(p, 0o600);
  try {
    const { O_RDONLY, O_WRONLY, O_NONBLOCK } = fs.constants;
    // The read end first: opening a fifo's write end needs a reader (or blocks).
    const r = fs.openSync(p, O_RDONLY | O_NONBLOCK);
    let w: number;
    try {
      w = fs.openSync(p, O_WRONLY | (shimEnd === 'w' ? O_NONBLOCK : 0));
    } catch (err) {
      fs.closeSync(r);
      throw err;
    }
    // The container's read end must block: reopen it without O_NONBLOCK.
    if (shimEnd === 'w') {
      const blocking = fs.openSync(`/proc/self/fd/${r}`, O_RDONLY);
      fs.closeSync(r);
      return { r: blocking, w };
    }
    return { r, w };
  } finally {
    fs.rmSync(p, { force: true });
  }
}
