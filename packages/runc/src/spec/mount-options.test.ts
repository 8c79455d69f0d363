import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import {
  MOUNT_ATTR_NOATIME,
  MOUNT_ATTR_RDONLY,
  MOUNT_ATTR__ATIME,
  MS_BIND,
  MS_DIRSYNC,
  MS_MANDLOCK,
  MS_NOATIME,
  MS_NODEV,
  MS_NODIRATIME,
  MS_NOEXEC,
  MS_NOSUID,
  MS_PRIVATE,
  MS_RDONLY,
  MS_REC,
  MS_RELATIME,
  MS_REMOUNT,
  MS_SHARED,
  MS_SLAVE,
  MS_STRICTATIME,
  MS_SYNCHRONOUS,
  MS_UNBINDABLE,
  badPropagationMessage,
  knownMountOptions,
  parseMountOptions,
  propagationFlags,
} from './mount-options.js';
import { canRunContainers, hasRunc, logMessages, makeBundle, run, runContainer, scriptConfig } from './real-runc.test.js';

describe('parseMountOptions', () => {
  it('uses the kernel MS_* values', () => {
    expect([MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_SYNCHRONOUS, MS_REMOUNT, MS_MANDLOCK, MS_DIRSYNC]).toEqual([
      1, 2, 4, 8, 16, 32, 64, 128,
    ]);
    expect([MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED]).toEqual([
      1024, 2048, 4096, 16384, 1 << 17, 1 << 18, 1 << 19, 1 << 20,
    ]);
    expect([MS_RELATIME, MS_STRICTATIME]).toEqual([1 << 21, 1 << 24]);
  });

  it('applies flags left to right and keeps the rest as data, in order', () => {
    const p = parseMountOptions(['nosuid', 'size=1m', 'ro', 'rw', 'noexec', 'mode=755', 'bind', 'remount', 'exec']);
    expect(p).toEqual({
      flags: MS_NOSUID | MS_BIND | MS_REMOUNT,
      clearFlags: MS_RDONLY | MS_NOEXEC,
      propagation: [],
      data: 'size=1m,mode=755',
      tmpcopyup: false,
    });
    expect(parseMountOptions(['suid', 'nosuid']).clearFlags).toBe(0);
  });

  it('handles each pair of set/clear options', () => {
    const pairs: [string, string, number][] = [
      ['ro', 'rw', MS_RDONLY],
      ['nosuid', 'suid', MS_NOSUID],
      ['nodev', 'dev', MS_NODEV],
      ['noexec', 'exec', MS_NOEXEC],
      ['sync', 'async', MS_SYNCHRONOUS],
      ['mand', 'nomand', MS_MANDLOCK],
      ['noatime', 'atime', MS_NOATIME],
      ['nodiratime', 'diratime', MS_NODIRATIME],
      ['relatime', 'norelatime', MS_RELATIME],
      ['strictatime', 'nostrictatime', MS_STRICTATIME],
    ];
    for (const [set, clear, flag] of pairs) {
      expect(parseMountOptions([set]).flags, set).toBe(flag);
      expect(parseMountOptions([set, clear]), clear).toMatchObject({ flags: 0, clearFlags: flag, data: '' });
    }
    expect(parseMountOptions(['dirsync', 'remount', 'bind']).flags).toBe(MS_DIRSYNC | MS_REMOUNT | MS_BIND);
    expect(parseMountOptions(['rbind']).flags).toBe(MS_BIND | MS_REC);
  });

  it('collects propagation changes in order', () => {
    expect(parseMountOptions(['rprivate', 'shared', 'rslave', 'unbindable', 'runbindable', 'private', 'slave', 'rshared']).propagation).toEqual([
      MS_PRIVATE | MS_REC,
      MS_SHARED,
      MS_SLAVE | MS_REC,
      MS_UNBINDABLE,
      MS_UNBINDABLE | MS_REC,
      MS_PRIVATE,
      MS_SLAVE,
      MS_SHARED | MS_REC,
    ]);
  });

  it('builds mount_setattr attributes like runc, quirks included', () => {
    expect(parseMountOptions(['rro']).recAttr).toEqual({ attrSet: MOUNT_ATTR_RDONLY, attrClr: 0 });
    expect(parseMountOptions(['rrw']).recAttr).toEqual({ attrSet: 0, attrClr: MOUNT_ATTR_RDONLY });
    expect(parseMountOptions(['rnoatime']).recAttr).toEqual({ attrSet: MOUNT_ATTR_NOATIME, attrClr: MOUNT_ATTR__ATIME });
    expect(parseMountOptions(['rrelatime']).recAttr).toEqual({ attrSet: 0, attrClr: MOUNT_ATTR__ATIME });
    expect(parseMountOptions(['rnorelatime']).recAttr).toBeUndefined();
    expect(parseMountOptions(['ro']).recAttr).toBeUndefined();
  });

  it('flags tmpcopyup for the caller and drops "defaults"', () => {
    expect(parseMountOptions(['tmpcopyup', 'defaults', 'x=1'])).toEqual({
      flags: 0,
      clearFlags: 0,
      propagation: [],
      data: 'x=1',
      tmpcopyup: true,
    });
  });
});

describe('propagationFlags', () => {
  it('maps the eight values and defaults to rslave', () => {
    expect(propagationFlags('', 'linux.rootfsPropagation')).toBe(MS_SLAVE | MS_REC);
    expect(propagationFlags(undefined, 'linux.rootfsPropagation')).toBe(MS_SLAVE | MS_REC);
    expect(propagationFlags('shared', 'f')).toBe(MS_SHARED);
    expect(propagationFlags('rshared', 'f')).toBe(MS_SHARED | MS_REC);
    expect(propagationFlags('slave', 'f')).toBe(MS_SLAVE);
    expect(propagationFlags('private', 'f')).toBe(MS_PRIVATE);
    expect(propagationFlags('rprivate', 'f')).toBe(MS_PRIVATE | MS_REC);
    expect(propagationFlags('unbindable', 'f')).toBe(MS_UNBINDABLE);
    expect(propagationFlags('runbindable', 'f')).toBe(MS_UNBINDABLE | MS_REC);
  });

  it('rejects other values naming the field', () => {
    try {
      propagationFlags('bogus', 'linux.rootfsPropagation');
      throw new Error('accepted');
    } catch (e) {
      expect(isBerthError(e, 'InvalidArgument')).toBe(true);
      expect((e as Error).message).toBe('linux.rootfsPropagation: rootfsPropagation=bogus is not supported');
    }
  });
});

interface MountInfo {
  /** Per-mount options (ro, nosuid, relatime, ...). */
  opts: string[];
  /** Optional fields: shared:N, master:N, unbindable. */
  tags: string[];
  /** Superblock options (sync, dirsync and the filesystem data). */
  superOpts: string[];
}

/** /proc/self/mountinfo by mount point. */
function mountinfo(out: string): Map<string, MountInfo> {
  const res = new Map<string, MountInfo>();
  for (const line of out.trim().split('\n')) {
    const [pre, post] = line.split(' - ');
    const f = pre!.split(' ');
    res.set(f[4]!, { opts: f[5]!.split(','), tags: f.slice(6), superOpts: post!.split(' ')[2]!.split(',') });
  }
  return res;
}

const MOUNT_OPTS: [number, string][] = [
  [MS_RDONLY, 'ro'],
  [MS_NOSUID, 'nosuid'],
  [MS_NODEV, 'nodev'],
  [MS_NOEXEC, 'noexec'],
  [MS_NOATIME, 'noatime'],
  [MS_NODIRATIME, 'nodiratime'],
];
const SUPER_OPTS: [number, string][] = [
  [MS_SYNCHRONOUS, 'sync'],
  [MS_DIRSYNC, 'dirsync'],
];

/** The flags a mountinfo entry shows (mand is left out: kernels differ on it). */
function shownFlags(m: MountInfo): number {
  let flags = 0;
  for (const [f, n] of MOUNT_OPTS) if (m.opts.includes(n)) flags |= f;
  for (const [f, n] of SUPER_OPTS) if (m.superOpts.includes(n)) flags |= f;
  if (m.opts.includes('relatime')) flags |= MS_RELATIME;
  return flags;
}

/** What shownFlags should give for a fresh tmpfs mounted with these flags. */
function expectedShown(flags: number): number {
  let shown = flags & [...MOUNT_OPTS, ...SUPER_OPTS].reduce((a, [f]) => a | f, 0);
  // The kernel default is relatime unless noatime or strictatime was asked for.
  if (flags & MS_RELATIME || !(flags & (MS_NOATIME | MS_STRICTATIME))) shown |= MS_RELATIME;
  return shown;
}

describe.runIf(hasRunc)('against runc', () => {
  it('knows the same option names as `runc features`', () => {
    const real = JSON.parse(run(['features']).stdout) as { mountOptions: string[] };
    expect(knownMountOptions()).toEqual(real.mountOptions);
  });
});

describe.runIf(canRunContainers)('against containers started by runc', () => {
  const cases: string[][] = [
    ['nosuid', 'noexec', 'nodev', 'ro', 'size=1m', 'mode=700', 'rshared', 'sync', 'dirsync', 'noatime', 'nodiratime'],
    ['rslave', 'strictatime', 'nodiratime'],
    ['ro', 'rw', 'suid', 'nosuid', 'dev', 'exec', 'noexec', 'async', 'norelatime', 'private'],
    ['unbindable', 'noatime', 'atime', 'diratime', 'nr_inodes=100'],
    ['runbindable', 'sync', 'async', 'dirsync', 'mode=755', 'relatime'],
    ['strictatime', 'nostrictatime', 'shared', 'nodev'],
  ];

  it('mounts with the flags, data and propagation we compute', () => {
    const config = scriptConfig('cat /proc/self/mountinfo');
    config.mounts = [
      ...config.mounts!,
      ...cases.map((options, i) => ({ destination: `/m${i}`, type: 'tmpfs', source: 'tmpfs', options })),
    ];
    const b = makeBundle(config, cases.map((_, i) => `m${i}`));
    try {
      // A shared-propagation namespace makes slave vs private visible.
      const r = runContainer(b, ['unshare', '--mount', '--propagation', 'shared']);
      expect(r.stderr).toBe('');
      const info = mountinfo(r.stdout);
      cases.forEach((options, i) => {
        const p = parseMountOptions(options);
        const seen = info.get(`/m${i}`)!;
        expect(shownFlags(seen), options.join(',')).toBe(expectedShown(p.flags));
        for (const d of p.data.split(',').filter((x) => x.startsWith('mode=') || x.startsWith('nr_inodes='))) {
          expect(seen.superOpts, options.join(',')).toContain(d);
        }
        const last = p.propagation.at(-1) ?? 0;
        const tag = seen.tags.join(' ');
        if (last & MS_SHARED) expect(tag, options.join(',')).toMatch(/^shared:\d+$/);
        else if (last & MS_UNBINDABLE) expect(tag, options.join(',')).toBe('unbindable');
        else expect(tag, options.join(',')).toBe('');
      });
      // Default rootfsPropagation: the root is a slave of the (shared) host mount.
      expect(info.get('/')!.tags.join(' ')).toMatch(/^master:\d+$/);
    } finally {
      b.cleanup();
    }
  });

  // (rshared is not here: runc makes the rootfs parent private before its
  // bind mount, so a shared root ends up with no peers to show.)
  it('applies rootfsPropagation the way we map it', () => {
    for (const [value, tag] of [
      ['rprivate', /^$/],
      ['slave', /^master:\d+$/],
      ['rslave', /^master:\d+$/],
    ] as const) {
      expect(propagationFlags(value, 'f')).toBeGreaterThan(0);
      const config = scriptConfig('cat /proc/self/mountinfo');
      config.linux!.rootfsPropagation = value;
      const b = makeBundle(config);
      try {
        const r = runContainer(b, ['unshare', '--mount', '--propagation', 'shared']);
        expect(r.stderr).toBe('');
        expect(mountinfo(r.stdout).get('/')!.tags.join(' '), value).toMatch(tag);
      } finally {
        b.cleanup();
      }
    }
  });

  it('fails a bad rootfsPropagation with the same message', () => {
    const config = scriptConfig('true');
    config.linux!.rootfsPropagation = 'bogus';
    const b = makeBundle(config);
    try {
      const r = runContainer(b);
      expect(r.code).not.toBe(0);
      expect(logMessages(r.stderr).map((m) => m.msg)).toEqual([`runc run failed: ${badPropagationMessage('bogus')}`]);
    } finally {
      b.cleanup();
    }
  });
});
