/**
 * docker's stdcopy framing, used on attach, exec and logs streams of
 * containers without a TTY: each frame is an 8-byte header (stream byte:
 * 0 stdin, 1 stdout, 2 stderr, 3 a daemon error; three zero bytes; big-endian
 * uint32 payload length) and the payload. Frames may be split anywhere across
 * reads, so the demuxer keeps what is left over.
 */
export type StreamKind = 'stdout' | 'stderr';

export class StdcopyError extends Error {}

export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly emit: (kind: StreamKind, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const kind = this.pending[0];
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      if (kind === 0 || kind === 1) this.emit('stdout', payload);
      else if (kind === 2) this.emit('stderr', payload);
      else if (kind === 3) throw new StdcopyError(`error from daemon in stream: ${payload.toString('utf8')}`);
      else throw new StdcopyError(`Unrecognized input header: ${String(kind)}`);
    }
  }
}

/** One frame, as the daemon writes them (tests and fakes). */
export function frame(kind: 0 | 1 | 2 | 3, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = kind;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}
