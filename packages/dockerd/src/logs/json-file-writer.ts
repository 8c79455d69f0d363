/**
 * docker's json-file log driver: one JSON object per line,
 * {"log":"...\n","stream":"stdout","time":"<RFC3339Nano>"}, split at newlines
 * (a partial line is written when it reaches 16 KiB or the stream ends), with
 * max-size/max-file rotation (<log>.1 is the newest rotated file). Writes are
 * synchronous appends: a line the container wrote is on disk before the next
 * is read, so a follower or a daemon crash loses nothing already read.
 */
import fs from 'node:fs';
import { invalidArgument } from '@berth/errors';
import { nowRfc3339Nano } from './time.js';

const maxLine = 16 * 1024;

export interface JsonFileOptions {
  maxSize: number;
  maxFile: number;
}

const units: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** --log-opt max-size=10m max-file=3, checked as docker checks them. */
export function jsonFileOptions(config: Record<string, string>): JsonFileOptions {
  for (const key of Object.keys(config)) {
    if (!['max-size', 'max-file', 'compress', 'labels', 'env', 'env-regex', 'tag', 'labels-regex'].includes(key)) throw invalidArgument(`unknown log opt '${key}' for json-file log driver`);
  }
  let maxSize = -1;
  const size = config['max-size'];
  if (size !== undefined) {
    const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(size);
    const unit = units[(m?.[2] ?? 'x').toLowerCase()];
    if (!m || unit === undefined) throw invalidArgument(`failed to parse max-size: invalid size: '${size}'`);
    maxSize = Math.floor(Number(m[1]) * unit);
  }
  let maxFile = 1;
  const files = config['max-file'];
  if (files !== undefined) {
    maxFile = Number(files);
    if (!Number.isInteger(maxFile) || maxFile < 1) throw invalidArgument('max-file cannot be less than 1');
    if (maxFile > 1 && maxSize === -1) throw invalidArgument("max-file cannot be set when max-size is not set");
  }
  return { maxSize, maxFile };
}

export class JsonFileWriter {
  private fd: number;
  private size: number;
  private readonly partial = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  /** Told each entry once it is on disk (`logs --follow` readers). */
  readonly followers = new Set<(line: string) => void>();

  constructor(
    readonly file: string,
    private readonly opts: JsonFileOptions,
  ) {
    this.fd = fs.openSync(file, 'a', 0o640);
    this.size = fs.fstatSync(this.fd).size;
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    let rest = chunk;
    for (;;) {
      const nl = rest.indexOf(10);
      if (nl < 0) break;
      this.emit(stream, Buffer.concat([...this.partial[stream], rest.subarray(0, nl + 1)]));
      this.partial[stream] = [];
      rest = rest.subarray(nl + 1);
    }
    if (rest.length > 0) this.partial[stream].push(Buffer.from(rest));
    const pending = this.partial[stream].reduce((n, b) => n + b.length, 0);
    if (pending >= maxLine) this.flush(stream);
  }

  private flush(stream: 'stdout' | 'stderr'): void {
    if (this.partial[stream].length === 0) return;
    this.emit(stream, Buffer.concat(this.partial[stream]));
    this.partial[stream] = [];
  }

  private emit(stream: 'stdout' | 'stderr', data: Buffer): void {
    const line = `${JSON.stringify({ log: data.toString('utf8'), stream, time: nowRfc3339Nano() })}\n`;
    const bytes = Buffer.from(line);
    if (this.opts.maxSize > 0 && this.size > 0 && this.size + bytes.length > this.opts.maxSize) this.rotate();
    fs.writeSync(this.fd, bytes);
    this.size += bytes.length;
    for (const f of this.followers) f(line);
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    if (this.opts.maxFile <= 1) {
      fs.truncateSync(this.file, 0);
    } else {
      for (let i = this.opts.maxFile - 1; i >= 1; i--) {
        const from = i === 1 ? this.file : `${this.file}.${i - 1}`;
        if (fs.existsSync(from)) fs.renameSync(from, `${this.file}.${i}`);
      }
    }
    this.fd = fs.openSync(this.file, 'a', 0o640);
    this.size = 0;
  }

  close(): void {
    this.flush('stdout');
    this.flush('stderr');
    fs.closeSync(this.fd);
  }
}
