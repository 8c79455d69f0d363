import { describe, expect, it } from 'vitest';
import { isMountPoint, mountArgs } from './rootfs.js';

describe('rootfs mounts', () => {
  it('spells containerd mounts as mount(8) arguments', () => {
    expect(mountArgs({ type: 'overlay', source: 'overlay', options: ['lowerdir=/l', 'upperdir=/u', 'workdir=/w'] }, '/b/rootfs')).toEqual([
      'mount', '-t', 'overlay', '-o', 'lowerdir=/l,upperdir=/u,workdir=/w', 'overlay', '/b/rootfs',
    ]);
    expect(mountArgs({ type: 'bind', source: '/snap/1/fs', options: ['rbind', 'ro'] }, '/b/rootfs')).toEqual(['mount', '-o', 'rbind,ro', '/snap/1/fs', '/b/rootfs']);
    expect(() => mountArgs({ type: '', source: '/x', options: [] }, '/t')).toThrow(/without a type/);
  });

  it('knows a mount point from /proc/self/mountinfo', () => {
    expect(isMountPoint('/proc')).toBe(true);
    expect(isMountPoint('/proc/self/fd/..')).toBe(false);
    expect(isMountPoint('/does/not/exist')).toBe(false);
  });
});
