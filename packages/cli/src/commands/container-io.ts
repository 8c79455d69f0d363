/**
 * The client side of an attached session (run, start -a, attach, exec): the
 * container's output from the hijacked connection to our stdout/stderr (raw
 * with a TTY, stdcopy frames without), our stdin to it (then a half-close so
 * the container sees EOF), the terminal in raw mode while a TTY session runs,
 * and its size sent at start and on every SIGWINCH.
 */
import { spawnSync } from 'node:child_process';
import type { ApiClient } from '../client/api.js';
import type { Hijacked } from '../client/hijack.js';
import { Demuxer } from '../client/stdcopy.js';
import { DEFAULT_DETACH_KEYS, EscapeScanner, parseDetachKeys } from './container-detach.js';

export interface SessionOptions {
  tty: boolean;
  /** With a TTY: the keys that detach (docker's default ctrl-p,ctrl-q). */
  detachKeys?: string | undefined;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface Session {
  /** Resolves when the daemon has closed the output side, or we detached. */
  done: Promise<'ended' | 'detached'>;
  /** Puts the terminal back (idempotent). */
  restore(): void;
}

const write = (out: NodeJS.WriteStream, data: Buffer): Promise<void> =>
  new Promise((resolve) => {
    if (out.write(data)) resolve();
    else out.once('drain', () => resolve());
  });

/**
 * The terminal in raw mode as docker's (moby/term MakeRaw, which is
 * cfmakeraw): libuv's raw mode keeps output post-processing (ONLCR), which
 * would turn the container's \r\n into \r\r\n, so `stty -opost` finishes
 * the job. Returns the settings to put back (`stty -g`).
 */
function makeRaw(): string | undefined {
  const saved = spawnSync('stty', ['-g'], { stdio: ['inherit', 'pipe', 'ignore'], encoding: 'utf8' });
  process.stdin.setRawMode(true);
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  return saved.status === 0 ? saved.stdout.trim() : undefined;
}

export function startSession(conn: Hijacked, o: SessionOptions): Session {
  const { socket } = conn;
  const stdinTty = o.stdin && o.tty && process.stdin.isTTY;
  const saved = stdinTty ? makeRaw() : undefined;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    if (stdinTty) process.stdin.setRawMode(false);
    if (saved) spawnSync('stty', [saved], { stdio: ['inherit', 'ignore', 'ignore'] });
    if (o.stdin) {
      process.stdin.off('data', forward);
      process.stdin.pause();
    }
  };
  const scanner = o.tty && o.stdin ? new EscapeScanner(parseDetachKeys(o.detachKeys || DEFAULT_DETACH_KEYS)) : undefined;
  let detach: () => void = () => undefined;
  const forward = (chunk: Buffer): void => {
    if (socket.destroyed) return;
    if (!scanner) {
      socket.write(chunk);
      return;
    }
    const { pass, detached } = scanner.scan(chunk);
    if (pass.length) socket.write(pass);
    if (detached) detach();
  };
  let chain = Promise.resolve();
  const demux = new Demuxer((kind, data) => {
    if (kind === 'stdout' && !o.stdout) return;
    if (kind === 'stderr' && !o.stderr) return;
    const target = kind === 'stdout' ? process.stdout : process.stderr;
    chain = chain.then(() => write(target, data));
  });
  const onData = (chunk: Buffer): void => {
    if (o.tty) chain = chain.then(() => write(process.stdout, chunk));
    else demux.push(chunk);
  };
  const done = new Promise<'ended' | 'detached'>((resolve, reject) => {
    const ended = () => void chain.then(() => resolve('ended'));
    detach = () => {
      // the container keeps running; docker just leaves
      socket.off('data', onData);
      socket.destroy();
      void chain.then(() => resolve('detached'));
    };
    socket.on('data', onData);
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? ended() : reject(err)));
  }).finally(restore);
  if (conn.head.length) onData(conn.head);
  if (o.stdin) {
    process.stdin.on('end', () => {
      // the daemon closes the container's stdin when our side half-closes
      if (!socket.destroyed) socket.end();
    });
    process.stdin.on('data', forward);
  }
  return { done, restore };
}

/** Sends the terminal's size to the container (or exec) now and on SIGWINCH. */
export function followTerminalSize(api: ApiClient, resizePath: string): () => void {
  if (!process.stdout.isTTY) return () => undefined;
  const send = (): void => {
    const { rows, columns } = process.stdout;
    if (!rows || !columns) return;
    api.send(`${resizePath}?h=${rows}&w=${columns}`, { method: 'POST' }).catch(() => undefined);
  };
  send();
  process.on('SIGWINCH', send);
  return () => process.off('SIGWINCH', send);
}
