/**
 * The client's side of a process's stdio: the paths in Create/Exec (fifos made
 * by containerd or ctr, or file:// URIs as containerd's runc shim accepts).
 *
 * Output fifos are opened twice, as containerd-shim-runc-v2 does: a read end the
 * shim keeps and never reads, and the write end it copies into. The idle read
 * end keeps the fifo alive while no client reads it (berth-containerd or berthd
 * restarting): writes never fail with EPIPE; they fill the fifo's buffer, then
 * wait (backpressure reaches the container), and a reader that comes back reads
 * everything in order. Nothing is lost.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { invalidArgument, notImplemented } from '@berth/errors';

export interface Output {
  stream: Writable;
  /** Closes what the stream does not own (the fifo's idle read end). */
  release(): void;
}

type Target = { kind: 'fifo' | 'file'; path: string };

export function parseTarget(uri: string): Target {
  const m = /^([a-z]+):\/\/(.*)$/.exec(uri);
  if (m === null) return { kind: 'fifo', path: uri };
  const scheme = m[1] ?? '';
  const rest = m[2] ?? '';
  if (scheme === 'fifo') return { kind: 'fifo', path: rest };
  if (scheme === 'file') return { kind: 'file', path: rest };
  if (scheme === 'binary') throw notImplemented(`stdio ${uri}: logging binaries are not supported`);
  throw invalidArgument(`stdio ${uri}: unknown scheme ${scheme}`);
}

function isFifo(p: string): boolean {
  try {
    return fs.statSync(p).isFIFO();
  } catch {
    return false;
  }
}

export function openOutput(uri: string, mkfifo: (p: string, mode: number) => void): Output {
  const target = parseTarget(uri);
  const { O_RDONLY, O_WRONLY, O_NONBLOCK, O_APPEND, O_CREAT } = fs.constants;
  if (target.kind === 'file') {
    fs.mkdirSync(path.dirname(target.path), { recursive: true });
    const fd = fs.openSync(target.path, O_WRONLY | O_APPEND | O_CREAT, 0o600);
    return { stream: fs.createWriteStream('', { fd }), release() {} };
  }
  // containerd's fifo.OpenFifo(O_CREAT): a missing fifo is made.
  if (!fs.existsSync(target.path)) mkfifo(target.path, 0o700);
  if (!isFifo(target.path)) throw invalidArgument(`stdio ${uri}: not a fifo`);
  const keep = fs.openSync(target.path, O_RDONLY | O_NONBLOCK);
  let fd: number;
  try {
    fd = fs.openSync(target.path, O_WRONLY | O_NONBLOCK);
  } catch (err) {
    fs.closeSync(keep);
    throw err;
  }
  const stream = new net.Socket({ fd, readable: false, writable: true });
  let released = false;
  return {
    stream,
    release() {
      if (released) return;
      released = true;
      fs.closeSync(keep);
    },
  };
}

/**
 * A stdin fifo, opened non-blocking for reading. Until a writer first opens it,
 * Linux reports no hangup to poll (fifo w_counter), so the stream simply waits;
 * it ends when the last writer closes, and the container's stdin closes then.
 */
export function openInput(uri: string): Readable {
  const target = parseTarget(uri);
  if (target.kind === 'file') return fs.createReadStream(target.path);
  const fd = fs.openSync(target.path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return new net.Socket({ fd, readable: true, writable: false });
}
