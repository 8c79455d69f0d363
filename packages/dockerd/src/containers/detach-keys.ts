/**
 * docker's detach keys: a sequence typed into an attached stdin (default
 * ctrl-p ctrl-q) that ends the attachment without touching the container.
 * "ctrl-<x>" is the control character, any other single character itself.
 * The scanner holds back a possible prefix of the sequence until it knows.
 */
import { invalidArgument } from '@berth/errors';

export function parseDetachKeys(spec: string): Buffer {
  const src = spec === '' ? 'ctrl-p,ctrl-q' : spec;
  const bytes = src.split(',').map((k) => {
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(k);
    if (m) {
      const ch = m[1] ?? '';
      return ch >= 'a' && ch <= 'z' ? ch.charCodeAt(0) - 96 : ch.charCodeAt(0) - 64;
    }
    if (k.length === 1) return k.charCodeAt(0);
    throw invalidArgument(`Invalid detach keys (${k}) provided`);
  });
  return Buffer.from(bytes);
}

export class DetachScanner {
  private matched = 0;

  constructor(private readonly keys: Buffer) {}

  /** The bytes to pass on, and whether the sequence was completed (then nothing after it is passed). */
  feed(chunk: Buffer): { pass: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { pass: Buffer.from(out), detach: true };
        continue;
      }
      // a partial match that failed: its bytes were real input
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i] ?? 0);
      this.matched = 0;
      if (b === this.keys[0]) this.matched = 1;
      else out.push(b);
    }
    return { pass: Buffer.from(out), detach: false };
  }
}
