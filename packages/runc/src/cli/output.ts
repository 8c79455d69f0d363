/**
 * Output the way runc writes it: results on stdout with plain writes (never
 * through process.stdout, which would make a shared pipe non-blocking for the
 * container too), diagnostics through a logrus-style logger: text
 * (`time="..." level=error msg="..."`) or JSON, to stderr or to --log.
 */
import fs from 'node:fs';
import type { Logger } from '../container/context.js';

export function out(text: string): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) off += fs.writeSync(1, buf, off);
}

export interface LogConfig {
  file?: string;
  format: 'text' | 'json';
  debug: boolean;
}

/** RFC 3339 in UTC without fractions, as logrus prints by default. */
function logTime(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Go's %q: a double-quoted string with Go escapes. */
export function goQuote(s: string): string {
  let r = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') r += `\\${ch}`;
    else if (ch === '\n') r += '\\n';
    else if (ch === '\t') r += '\\t';
    else if (ch === '\r') r += '\\r';
    else if (c < 0x20 || c === 0x7f) r += `\\x${c.toString(16).padStart(2, '0')}`;
    else r += ch;
  }
  return `${r}"`;
}

export class RuncLogger implements Logger {
  constructor(private readonly cfg: LogConfig) {}

  private line(level: string, msg: string): string {
    if (this.cfg.format === 'json') return `${JSON.stringify({ level, msg, time: logTime() })}\n`;
    return `time="${logTime()}" level=${level} msg=${goQuote(msg)}\n`;
  }

  private emit(level: string, msg: string): void {
    const text = this.line(level, msg);
    if (this.cfg.file) {
      try {
        fs.appendFileSync(this.cfg.file, text);
        return;
      } catch {
        // fall through to stderr
      }
    }
    fs.writeSync(2, text);
  }

  warn(msg: string): void {
    this.emit('warning', msg);
  }

  debug(msg: string): void {
    if (this.cfg.debug) this.emit('debug', msg);
  }

  /** A fatal error: logged, and also printed bare to stderr when logging to a file (as runc does). */
  error(msg: string): void {
    this.emit('error', msg);
    if (this.cfg.file) fs.writeSync(2, `${msg}\n`);
  }
}
