import { describe, expect, it } from 'vitest';
import { defaultSocketPath, exitFileName } from './paths.js';

describe('paths', () => {
  it('makes socket paths that fit sun_path whatever the namespace and id', () => {
    const p = defaultSocketPath('/run/berth/containerd/containerd.sock', 'n'.repeat(76), 'i'.repeat(76));
    expect(p).toMatch(/^\/run\/berth\/s\/[0-9a-f]{32}$/);
    expect(Buffer.byteLength(p)).toBeLessThan(108);
    expect(defaultSocketPath('a', 'b', 'c')).toBe(defaultSocketPath('a', 'b', 'c'));
    // a spare shim (no id yet) gets a fresh one each time
    expect(defaultSocketPath('a', 'b', '')).not.toBe(defaultSocketPath('a', 'b', ''));
  });

  it('names exit files so that no exec id can collide with init or escape the directory', () => {
    expect(exitFileName('')).toBe('init.json');
    expect(exitFileName('init')).toBe('exec.init.json');
    expect(exitFileName('../x')).toBe('exec...%2Fx.json');
  });
});
