import { describe, expect, it } from 'vitest';
import { EscapeScanner, parseDetachKeys } from './container-detach.js';

describe('detach keys', () => {
  it('parses docker\'s key lists', () => {
    expect(parseDetachKeys('ctrl-p,ctrl-q')).toEqual([16, 17]);
    expect(parseDetachKeys('a,ctrl-@,ctrl-[')).toEqual([97, 0, 27]);
    expect(() => parseDetachKeys('ctrl-1')).toThrow(/Unknown character/);
  });

  it('holds back a started sequence, lets it through when it breaks off, detaches when complete', () => {
    const s = new EscapeScanner([16, 17]);
    expect(s.scan(Buffer.from([104, 16]))).toEqual({ pass: Buffer.from([104]), detached: false });
    expect(s.scan(Buffer.from([105]))).toEqual({ pass: Buffer.from([16, 105]), detached: false });
    expect(s.scan(Buffer.from([16, 16]))).toEqual({ pass: Buffer.from([16]), detached: false });
    expect(s.scan(Buffer.from([17, 120]))).toEqual({ pass: Buffer.from([]), detached: true });
  });
});
