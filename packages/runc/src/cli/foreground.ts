/**
 * The foreground half of `run` and `exec`: forwards signals to the container's
 * process, proxies a terminal when the process has one (the pty master comes
 * back over an internal console socket, the caller's terminal goes raw), and
 * waits for the exit status, which becomes ours (128+n for a signal).
 */
import fs from 'node:fs';
import tty from 'node:tty';
import type { NativeCore } from '../native/core.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGCONT'];

export interface ConsolePair {
  /** Our end: receives the pty master. */
  ours: number;
  /** The container's end, handed to the launch plan as consoleFd. */
  theirs: number;
}

export function consolePair(core: NativeCore): ConsolePair {
  const [ours, theirs] = core.socketpair();
  return { ours, theirs };
}

export interface Attached {
  /** Resolves when the pty output has drained (immediately without a pty). */
  drained: Promise<void>;
  detach(): void;
}

/** Receives the pty master and wires it to our stdio. */
export function attachTerminal(core: NativeCore, pair: ConsolePair): Attached {
  fs.closeSync(pair.theirs);
  const { fd: master } = core.recvFd(pair.ours);
  fs.closeSync(pair.ours);
  let saved: Buffer | undefined;
  if (tty.isatty(0)) {
    saved = core.setRaw(0);
  }
  const size = core.getWinsize(1) ?? core.getWinsize(0);
  if (size) core.setWinsize(master, size.rows, size.cols);
  const onWinch = () => {
    const s = core.getWinsize(1) ?? core.getWinsize(0);
    if (s) core.setWinsize(master, s.rows, s.cols);
  };
  process.on('SIGWINCH', onWinch);
  const input = new tty.ReadStream(master);
  const drained = new Promise<void>((resolve) => {
    input.on('data', (chunk: Buffer) => {
      for (let off = 0; off < chunk.length; ) off += fs.writeSync(1, chunk, off);
    });
    // EIO once the last slave fd is closed: the process is gone.
    input.on('error', () => resolve());
    input.on('end', () => resolve());
    input.on('close', () => resolve());
  });
  const masterOut = new tty.WriteStream(master);
  const onStdin = (chunk: Buffer) => masterOut.write(chunk);
  process.stdin.on('data', onStdin);
  // End of our input becomes an EOF keystroke (^D) on the terminal.
  process.stdin.on('end', () => masterOut.write(Buffer.from([4])));
  return {
    drained,
    detach() {
      process.off('SIGWINCH', onWinch);
      process.stdin.off('data', onStdin);
      process.stdin.pause();
      if (saved) core.restoreTermios(0, saved);
      input.destroy();
    },
  };
}

/** Forwards our signals to pid until the returned function is called. */
export function forwardSignals(pid: number): () => void {
  const handlers = FORWARDED.map((sig) => {
    const h = () => {
      try {
        process.kill(pid, sig);
      } catch {
        // gone
      }
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => handlers.forEach(([sig, h]) => process.off(sig, h));
}

/** Waits for our child pid; returns the exit status as a shell reports it. */
export async function waitExit(core: NativeCore, pid: number): Promise<number> {
  const r = await core.waitpidAsync(pid);
  if (r.signal !== undefined) return 128 + r.signal;
  return r.exitCode ?? 255;
}
