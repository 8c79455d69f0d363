import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { validateIdentifier, validateLabels } from './identifiers.js';

function errorOf(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('identifiers (containerd identifiers.Validate)', () => {
  it('accepts alphanumeric runs joined by single separators', () => {
    for (const ok of ['a', 'default', 'k8s.io', 'moby', 'a-b_c.d', 'A1', '0', 'x'.repeat(76)]) {
      expect(() => validateIdentifier(ok), ok).not.toThrow();
    }
  });

  it('rejects the rest with InvalidArgument and containerd messages', () => {
    const cases: Array<[string, string]> = [
      ['', 'identifier must not be empty'],
      ['x'.repeat(77), `identifier "${'x'.repeat(77)}" greater than maximum length (76 characters)`],
      ['bad!name', 'identifier "bad!name" must match ^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$'],
    ];
    for (const [input, message] of cases) {
      const err = errorOf(() => validateIdentifier(input));
      expect(isBerthError(err, 'InvalidArgument')).toBe(true);
      expect((err as Error).message).toBe(message);
    }
    for (const bad of ['-a', 'a-', 'a..b', 'a/b', '.', 'a b', 'ü', '../x']) {
      expect(isBerthError(errorOf(() => validateIdentifier(bad)), 'InvalidArgument'), bad).toBe(true);
    }
  });

  it('limits a label key and value to 4096 bytes together', () => {
    expect(() => validateLabels({ k: 'v'.repeat(4095) }, 'x')).not.toThrow();
    const err = errorOf(() => validateLabels({ longlonglongkey: 'v'.repeat(4096) }, 'namespace.Labels'));
    expect(isBerthError(err, 'InvalidArgument')).toBe(true);
    expect((err as Error).message).toBe(
      'namespace.Labels: label key and value greater than maximum size (4096 bytes), key: longlonglo',
    );
  });
});
