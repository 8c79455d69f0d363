import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import type { CgroupLayout } from './paths.js';
import { cleanCgroupPath, detectLayout, detectMode, parseMountInfo, parseProcCgroup, resolveCgroupPaths } from './paths.js';

const HYBRID_MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children
35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
50 23 0:40 / /mnt/with\\040space rw - ext4 /dev/vda rw
`;

const HYBRID_SELF = `9:name=systemd:/user.slice
5:devices:/
4:memory:/docker/abc/inner
3:cpuset:/
2:cpu,cpuacct:/runtime
1:freezer:/
0::/user.slice
`;

function layout(mountinfo: string, self: string): CgroupLayout {
  const mounts = parseMountInfo(mountinfo);
  return { mode: detectMode(mounts), mounts, own: parseProcCgroup(self) };
}

describe('mountinfo and /proc/self/cgroup', () => {
  it('finds v1 hierarchies (co-mounted too), named ones and cgroup2', () => {
    const mounts = parseMountInfo(HYBRID_MOUNTINFO);
    expect(mounts.map((m) => [m.version, m.controllers.join(','), m.mountPoint])).toEqual([
      [1, 'cpu,cpuacct', '/sys/fs/cgroup/cpu,cpuacct'],
      [1, 'cpuset', '/sys/fs/cgroup/cpuset'],
      [1, 'memory', '/sys/fs/cgroup/memory'],
      [1, 'devices', '/sys/fs/cgroup/devices'],
      [1, 'freezer', '/sys/fs/cgroup/freezer'],
      [1, 'name=systemd', '/sys/fs/cgroup/systemd'],
      [2, '', '/sys/fs/cgroup/unified'],
    ]);
    expect(mounts[2]!.root).toBe('/docker/abc');
    expect(detectMode(mounts)).toBe('hybrid');
    expect(detectMode(mounts.filter((m) => m.version === 1))).toBe('v1');
    expect(detectMode(parseMountInfo('30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n'))).toBe('v2');
  });

  it('maps each controller of /proc/self/cgroup to its path', () => {
    const own = parseProcCgroup(HYBRID_SELF);
    expect(own.get('cpu')).toBe('/runtime');
    expect(own.get('cpuacct')).toBe('/runtime');
    expect(own.get('name=systemd')).toBe('/user.slice');
    expect(own.get('')).toBe('/user.slice');
  });

  it('cleans paths like runc (relative paths cannot climb out)', () => {
    expect(cleanCgroupPath('../../etc/x')).toBe('etc/x');
    expect(cleanCgroupPath('a/./b/../c/')).toBe('a/c');
    expect(cleanCgroupPath('/a/../../b/')).toBe('/b');
    expect(cleanCgroupPath('')).toBe('');
    expect(cleanCgroupPath('..')).toBe('.');
  });
});

describe('resolveCgroupPaths (runc cgroupfs rules)', () => {
  const l = layout(HYBRID_MOUNTINFO, HYBRID_SELF);

  it('puts an absolute path under each hierarchy mount', () => {
    expect(resolveCgroupPaths({ cgroupsPath: '/berth/c1', id: 'c1' }, l)).toEqual({
      cpuset: '/sys/fs/cgroup/cpuset/berth/c1',
      devices: '/sys/fs/cgroup/devices/berth/c1',
      memory: '/sys/fs/cgroup/memory/berth/c1',
      cpu: '/sys/fs/cgroup/cpu,cpuacct/berth/c1',
      cpuacct: '/sys/fs/cgroup/cpu,cpuacct/berth/c1',
      freezer: '/sys/fs/cgroup/freezer/berth/c1',
      'name=systemd': '/sys/fs/cgroup/systemd/berth/c1',
      '': '/sys/fs/cgroup/unified/berth/c1',
    });
  });

  it('puts a relative path under the runtime own cgroups (mount root accounted for)', () => {
    const p = resolveCgroupPaths({ cgroupsPath: 'berth/c1', id: 'c1' }, l);
    expect(p['memory']).toBe('/sys/fs/cgroup/memory/inner/berth/c1');
    expect(p['cpu']).toBe('/sys/fs/cgroup/cpu,cpuacct/runtime/berth/c1');
    expect(p['devices']).toBe('/sys/fs/cgroup/devices/berth/c1');
    expect(p['']).toBe('/sys/fs/cgroup/unified/user.slice/berth/c1');
  });

  it('uses the container id when cgroupsPath is empty', () => {
    expect(resolveCgroupPaths({ id: 'mybox' }, l)['freezer']).toBe('/sys/fs/cgroup/freezer/mybox');
    expect(resolveCgroupPaths({ cgroupsPath: '', id: 'mybox' }, l)['cpu']).toBe('/sys/fs/cgroup/cpu,cpuacct/runtime/mybox');
  });

  it('on pure v2 resolves one dir, relative paths below the parent of the own cgroup', () => {
    const v2 = layout('30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n', '0::/user.slice/session-1.scope\n');
    expect(resolveCgroupPaths({ cgroupsPath: 'a/b', id: 'x' }, v2)).toEqual({ '': '/sys/fs/cgroup/user.slice/a/b' });
    expect(resolveCgroupPaths({ cgroupsPath: '/a/b', id: 'x' }, v2)).toEqual({ '': '/sys/fs/cgroup/a/b' });
    expect(resolveCgroupPaths({ id: 'x' }, v2)).toEqual({ '': '/sys/fs/cgroup/user.slice/x' });
  });

  it('refuses paths naming the root or the runtime own cgroup, and a missing devices controller', () => {
    for (const cgroupsPath of ['/', '.', '..']) {
      let err: unknown;
      try {
        resolveCgroupPaths({ cgroupsPath, id: 'x' }, l);
      } catch (e) {
        err = e;
      }
      expect(isBerthError(err, 'InvalidArgument')).toBe(true);
      expect((err as Error).message).toMatch(/^linux.cgroupsPath:/);
    }
    const noDevices = layout(HYBRID_MOUNTINFO.replace(/.*devices\n/, ''), HYBRID_SELF);
    expect(() => resolveCgroupPaths({ id: 'x' }, noDevices)).toThrow(/devices cgroup controller is not mounted/);
  });
});

describe('this machine', () => {
  it('detects the layout from /proc', () => {
    const real = detectLayout();
    expect(real.mounts.length).toBeGreaterThan(0);
    const self = fs.readFileSync('/proc/self/cgroup', 'utf8');
    if (real.mode !== 'v2') {
      const mem = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(self);
      const p = resolveCgroupPaths({ cgroupsPath: 'rel/x', id: 'x' }, real);
      const memMount = real.mounts.find((m) => m.controllers.includes('memory'));
      if (mem && memMount) {
        expect(p['memory']).toBe(path.posix.join(memMount.mountPoint, path.posix.relative(memMount.root, mem[1]!), 'rel/x'));
      }
      if (real.mode === 'hybrid') expect(p['']).toBeDefined();
    }
  });
});
