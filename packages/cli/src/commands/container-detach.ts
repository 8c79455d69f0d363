/**
 * docker's client-side detach (moby/term's escape proxy), used on TTY
 * sessions: keystrokes that start the detach sequence (default ctrl-p,
 * ctrl-q) are held back; if the whole sequence arrives the session detaches
 * and the container keeps running, otherwise the held keys go through.
 */
import { ExitError } from '../errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** "ctrl-p,ctrl-q" or "a,ctrl-@" -> the bytes, as docker's ToBytes. */
export function parseDetachKeys(keys: string): number[] {
  return keys.split(',').map((k) => {
    const key = k.trim().toLowerCase();
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(key);
    if (!m) throw new ExitError(`Unknown character: '${k}'`, 1);
    const c = (m[1] as string).charCodeAt(0);
    return c >= 97 ? c - 96 : c - 64;
  });
}

export class EscapeScanner {
  private held: number[] = [];

  constructor(private readonly seq: number[]) {}

  /** The bytes to pass on, and whether the sequence was completed. */
  scan(chunk: Buffer): { pass: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.seq[this.held.length]) {
        this.held.push(b);
        if (this.held.length === this.seq.length) return { pass: Buffer.from(out), detached: true };
        continue;
      }
      out.push(...this.held);
      this.held = [];
      if (b === this.seq[0]) this.held.push(b);
      else out.push(b);
    }
    return { pass: Buffer.from(out), detached: false };
  }
}
