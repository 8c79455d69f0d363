import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { secureJoin } from './securejoin.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-securejoin-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('secureJoin', () => {
  fs.mkdirSync(path.join(root, 'etc/sub'), { recursive: true });
  fs.symlinkSync('/etc', path.join(root, 'abs-link'));
  fs.symlinkSync('../../../../../../etc', path.join(root, 'etc/sub/up-link'));
  fs.symlinkSync('sub', path.join(root, 'etc/rel-link'));
  fs.symlinkSync('loop-b', path.join(root, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(root, 'loop-b'));

  it('joins plain paths and clamps .. at the root', () => {
    expect(secureJoin(root, '/etc/passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(secureJoin(root, '../../../etc/passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(secureJoin(root, '/')).toBe(root);
  });

  it('resolves absolute symlinks against the root, not the host', () => {
    expect(secureJoin(root, '/abs-link/shadow')).toBe(path.join(root, 'etc/shadow'));
  });

  it('keeps relative symlinks that climb out inside the root', () => {
    expect(secureJoin(root, '/etc/sub/up-link/x')).toBe(path.join(root, 'etc/x'));
    expect(secureJoin(root, '/etc/rel-link/y')).toBe(path.join(root, 'etc/sub/y'));
  });

  it('refuses symlink loops', () => {
    expect(() => secureJoin(root, '/loop-a/x')).toThrow(/too many levels of symbolic links/);
  });
});
