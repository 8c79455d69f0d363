import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { digestProblem, sha256Of, validateDigest } from './digest.js';

describe('digests (go-digest rules)', () => {
  it('accepts canonical digests of the available algorithms', () => {
    expect(digestProblem(sha256Of('hello'))).toBeUndefined();
    expect(digestProblem(`sha384:${'a'.repeat(96)}`)).toBeUndefined();
    expect(digestProblem(`sha512:${'0'.repeat(128)}`)).toBeUndefined();
  });

  it("answers go-digest's messages for malformed ones", () => {
    expect(digestProblem('')).toBe('invalid checksum digest format');
    expect(digestProblem('foo')).toBe('invalid checksum digest format');
    expect(digestProblem('sha256:')).toBe('invalid checksum digest format');
    expect(digestProblem(':abc')).toBe('invalid checksum digest format');
    expect(digestProblem('sha256:abc')).toBe('invalid checksum digest length');
    expect(digestProblem(`sha256:${'A'.repeat(64)}`)).toBe('invalid checksum digest format');
    expect(digestProblem('sha999:abc')).toBe('unsupported digest algorithm');
    expect(digestProblem('SHA256:abc')).toBe('invalid checksum digest format');
  });

  it('throws InvalidArgument', () => {
    let err: unknown;
    try {
      validateDigest('sha256:abc', 'Target.Digest');
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'InvalidArgument')).toBe(true);
    expect((err as Error).message).toBe('Target.Digest: invalid checksum digest length');
  });
});
