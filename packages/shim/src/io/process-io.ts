/**
 * The stdio of one process, owned by the shim. Without a terminal the process
 * gets private pipes (or /dev/null for a stream nobody asked for) and the shim
 * copies between them and the client's fifos; with a terminal the pty master
 * (received over the console socket) is copied to stdout and fed from stdin.
 * Copies honour backpressure; see endpoints.ts for why output is never lost
 * while no client reads.
 *
 * Life cycle: open (before the launch, so bad paths fail Create/Start), hand
 * containerStdio() to the runtime, then launched() (close the container's ends
 * here and start copying) or abandon() when the launch failed.
 */
import fs from 'node:fs';
import net from 'node:net';
import tty from 'node:tty';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { openInput, openOutput, type Output } from './endpoints.js';
import { makePipe, type MakeFifo } from './pipe.js';

export interface IOConfig {
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

export interface IODeps {
  /** A directory only the shim uses, for the private pipes. */
  pipeDir: string;
  mkfifo: MakeFifo;
  setWinsize: (fd: number, rows: number, cols: number) => void;
  log: Logger;
  /** containerd.runc.v1.Options io_uid/io_gid: owner of the container's pipe ends. */
  owner?: { uid: number; gid: number };
}

export class ProcessIO {
  private readonly theirs: number[] = [];
  private readonly stdioFds: [number, number, number] = [-1, -1, -1];
  private readonly outputs: { src: number; out: Output }[] = [];
  private readonly copies: Promise<void>[] = [];
  private stdinSource: Readable | undefined;
  private stdinSink: Writable | undefined;
  private stdinPipe = -1;
  private console: tty.ReadStream | undefined;
  private master = -1;

  constructor(
    readonly config: IOConfig,
    private readonly deps: IODeps,
  ) {
    try {
      if (config.terminal) this.openTerminal();
      else this.openPipes();
    } catch (err) {
      this.abandon();
      throw err;
    }
  }

  /** fds for the container's 0, 1, 2 (without a terminal). */
  containerStdio(): [number, number, number] {
    return [...this.stdioFds];
  }

  private openTerminal(): void {
    if (this.config.stdout !== '') this.outputs.push({ src: -1, out: openOutput(this.config.stdout, this.deps.mkfifo) });
    if (this.config.stdin !== '') this.stdinSource = openInput(this.config.stdin);
  }

  private openPipes(): void {
    const { pipeDir, mkfifo, owner } = this.deps;
    const devNull = (flags: number) => {
      const fd = fs.openSync('/dev/null', flags);
      this.theirs.push(fd);
      return fd;
    };
    const give = (fd: number) => {
      this.theirs.push(fd);
      if (owner !== undefined) fs.fchownSync(fd, owner.uid, owner.gid);
      return fd;
    };
    if (this.config.stdin !== '') {
      const p = makePipe(pipeDir, mkfifo, 'w');
      this.stdinPipe = p.w;
      this.stdioFds[0] = give(p.r);
      this.stdinSource = openInput(this.config.stdin);
    } else this.stdioFds[0] = devNull(fs.constants.O_RDONLY);
    for (const [k, uri] of [[1, this.config.stdout], [2, this.config.stderr]] as const) {
      if (uri === '') {
        this.stdioFds[k] = devNull(fs.constants.O_WRONLY);
        continue;
      }
      const out = openOutput(uri, mkfifo);
      const p = makePipe(pipeDir, mkfifo, 'r');
      this.outputs.push({ src: p.r, out });
      this.stdioFds[k] = give(p.w);
    }
  }

  /** The process runs: drop our copies of its ends (so EOF can come) and start copying. */
  launched(): void {
    this.closeTheirs();
    for (const { src, out } of this.outputs) {
      if (src >= 0) this.copies.push(copy(new net.Socket({ fd: src, readable: true, writable: false }), out, this.deps.log));
    }
    if (this.stdinSource !== undefined && this.stdinPipe >= 0) {
      this.stdinSink = new net.Socket({ fd: this.stdinPipe, readable: false, writable: true });
      this.stdinPipe = -1;
      this.feedStdin(this.stdinSink, true);
    }
  }

  /** The pty master of a terminal process (received over the console socket). */
  attachConsole(master: number): void {
    this.master = master;
    const con = new tty.ReadStream(master);
    this.console = con;
    const out = this.outputs[0];
    if (out !== undefined) this.copies.push(copy(con, out.out, this.deps.log));
    else con.resume(); // nobody wants the output: keep the pty from filling up
    // stdin's end is not an end of the terminal (containerd does not close it either)
    if (this.stdinSource !== undefined) this.feedStdin(con, false);
  }

  private feedStdin(sink: Writable, endWithSource: boolean): void {
    const source = this.stdinSource as Readable;
    source.on('error', (err) => this.deps.log.warn('stdin copy failed', { error: err }));
    sink.on('error', (err) => this.deps.log.debug('stdin closed by the process', { error: err }));
    source.pipe(sink, { end: endWithSource });
  }

  /** CloseIO(stdin): the process reads end of file. */
  closeStdin(): void {
    this.stdinSource?.unpipe();
    this.stdinSource?.destroy();
    this.stdinSource = undefined;
    this.stdinSink?.end();
    this.stdinSink = undefined;
  }

  resize(width: number, height: number): void {
    if (this.master >= 0 && this.console !== undefined && !this.console.destroyed) this.deps.setWinsize(this.master, height, width);
  }

  /** Resolves when every output copy has finished, or after timeoutMs. */
  async drained(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = Promise.all(this.copies).then(() => true);
    try {
      return await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private closeTheirs(): void {
    for (const fd of this.theirs.splice(0)) fs.closeSync(fd);
  }

  /** The launch failed: close everything, copy nothing. */
  abandon(): void {
    this.closeTheirs();
    for (const { src, out } of this.outputs.splice(0)) {
      if (src >= 0) fs.closeSync(src);
      out.stream.destroy();
      out.release();
    }
    if (this.stdinPipe >= 0) fs.closeSync(this.stdinPipe);
    this.stdinPipe = -1;
    this.stdinSource?.destroy();
  }

  /** Stops everything (Delete): output not copied by now is dropped. */
  close(): void {
    this.closeStdin();
    this.console?.destroy();
    this.console = undefined;
    this.master = -1;
    for (const { out } of this.outputs.splice(0)) {
      out.stream.destroy();
      out.release();
    }
  }
}

/** Copies src into out with backpressure; ends out (and releases the fifo) when src ends. */
function copy(src: Readable, out: Output, log: Logger): Promise<void> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      out.release();
      resolve();
    };
    // EIO from a pty master once the last slave closes is its end of file.
    src.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EIO') log.warn('output copy failed', { error: err });
      out.stream.end();
    });
    out.stream.on('error', (err) => {
      // The client's side broke (not a fifo with our idle reader: a file). Keep
      // draining the process's output so it never blocks on a dead stream.
      log.warn('output destination failed', { error: err });
      src.unpipe(out.stream);
      src.resume();
      finish();
    });
    out.stream.on('close', finish);
    out.stream.on('finish', finish);
    src.pipe(out.stream);
  });
}
