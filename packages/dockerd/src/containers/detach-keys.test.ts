import { describe, expect, it } from 'vitest';
import { DetachScanner, parseDetachKeys } from './detach-keys.js';

describe('detach keys', () => {
  it('parses docker\'s key names', () => {
    expect([...parseDetachKeys('')]).toEqual([16, 17]);
    expect([...parseDetachKeys('ctrl-a,x,ctrl-@')]).toEqual([1, 120, 0]);
    expect(() => parseDetachKeys('ctrl-1')).toThrow(/Invalid detach keys \(ctrl-1\) provided/);
  });

  it('passes input through, holds a partial sequence, and stops at a complete one', () => {
    const s = new DetachScanner(parseDetachKeys(''));
    expect(s.feed(Buffer.from('ab\x10'))).toEqual({ pass: Buffer.from('ab'), detach: false });
    expect(s.feed(Buffer.from('c'))).toEqual({ pass: Buffer.from('\x10c'), detach: false });
    expect(s.feed(Buffer.from('d\x10\x10'))).toEqual({ pass: Buffer.from('d\x10'), detach: false });
    expect(s.feed(Buffer.from('\x11after'))).toEqual({ pass: Buffer.from(''), detach: true });
  });
});
