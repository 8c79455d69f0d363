/** specconv without root: config.json -> launch plan, and the errors naming fields. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSpec } from '../spec/default-spec.js';
import type { Spec } from '../spec/types.js';
import { buildExecPlan, buildInitPlan, type InitPlanInput } from './build-plan.js';
import { CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER } from './namespaces.js';
import { MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT } from '../spec/mount-options.js';

const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-plan-'));
fs.mkdirSync(path.join(bundle, 'rootfs'));
afterAll(() => fs.rmSync(bundle, { recursive: true, force: true }));

const cgroupPaths = { memory: '/sys/fs/cgroup/memory/x', cpu: '/sys/fs/cgroup/cpu/x', 'name=systemd': '/sys/fs/cgroup/systemd/x', '': '/sys/fs/cgroup/unified/x' };

function plan(mutate: (s: Spec) => void = () => {}, extra: Partial<InitPlanInput> = {}) {
  const spec = defaultSpec();
  mutate(spec);
  return buildInitPlan({ spec, bundle, cgroupPaths, cgroupMode: 'hybrid', noPivot: false, preserveFds: 0, ...extra });
}

describe('buildInitPlan', () => {
  it('turns runc\'s default spec into a plan', () => {
    const { plan: p } = plan();
    expect(p.rootfs).toBe(fs.realpathSync(path.join(bundle, 'rootfs')));
    expect(p.cloneFlags & CLONE_NEWPID).toBeTruthy();
    expect(p.cloneFlags & CLONE_NEWNS).toBeTruthy();
    expect(p.cloneFlags & CLONE_NEWNET).toBeTruthy();
    expect(p.cloneFlags & CLONE_NEWUSER).toBe(0);
    expect(p.args).toEqual(['sh']);
    expect(p.pathEnv).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(p.readonlyRootfs).toBe(true);
    expect(p.mounts.map((m) => m.target.slice(p.rootfs!.length))).toEqual([
      '/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys',
      '/sys/fs/cgroup', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/cpu', '/sys/fs/cgroup/systemd', '/sys/fs/cgroup',
    ]);
    // default devices plus the standard links
    expect(p.devices.map((d) => d.hostPath)).toEqual(['/dev/null', '/dev/random', '/dev/full', '/dev/tty', '/dev/zero', '/dev/urandom']);
    expect(p.links.map((l) => path.basename(l.path))).toEqual(expect.arrayContaining(['fd', 'stdin', 'stdout', 'stderr', 'ptmx']));
    expect(p.capBounding).toBe((1n << 29n) | (1n << 10n) | (1n << 5n)); // AUDIT_WRITE, NET_BIND_SERVICE, KILL
  });

  it('mounts a fresh sysfs in a joined network namespace, and binds the host\'s in the host\'s', () => {
    const sysOf = (p: ReturnType<typeof plan>['plan']) => p.mounts.find((m) => m.target === `${p.rootfs}/sys`);
    const joined = plan((s) => { s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path: '/proc/self/ns/net' } : n)); }).plan;
    expect(sysOf(joined)).toMatchObject({ bind: false, fstype: 'sysfs' });
    const hostNet = plan((s) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network'); }).plan;
    expect(sysOf(hostNet)).toMatchObject({ bind: true, source: '/sys' });
    expect(sysOf(plan().plan)).toMatchObject({ bind: false, fstype: 'sysfs' });
  });

  it('binds the container\'s own cgroups without a cgroup namespace, read-only last', () => {
    const { plan: p } = plan();
    const cg = p.mounts.filter((m) => m.origin === 6);
    expect(cg[1]).toMatchObject({ source: '/sys/fs/cgroup/memory/x', bind: true });
    expect(cg[1]!.flags & MS_BIND).toBeTruthy();
    expect(cg.at(-1)!.flags & (MS_REMOUNT | MS_RDONLY)).toBe(MS_REMOUNT | MS_RDONLY);
  });

  it('mounts fresh cgroup hierarchies inside a cgroup namespace', () => {
    const { plan: p } = plan((s) => s.linux?.namespaces?.push({ type: 'cgroup' }));
    const mem = p.mounts.find((m) => m.target.endsWith('/sys/fs/cgroup/memory'));
    expect(mem).toMatchObject({ fstype: 'cgroup', data: 'memory', bind: false });
    // runc's source and data for a named hierarchy
    expect(p.mounts.find((m) => m.target.endsWith('/sys/fs/cgroup/systemd'))).toMatchObject({ source: 'systemd', data: 'name=systemd' });
  });

  it('lays the cgroup hierarchies out as the host mounts them: order, names, co-mounted symlinks', () => {
    const cgroupMounts = [
      { version: 1 as const, controllers: ['name=systemd'], mountPoint: '/sys/fs/cgroup/systemd' },
      { version: 1 as const, controllers: ['cpu', 'cpuacct'], mountPoint: '/sys/fs/cgroup/cpu,cpuacct' },
      { version: 1 as const, controllers: ['net_cls'], mountPoint: '/sys/fs/cgroup/net_cls' }, // not ours: not shown
      { version: 1 as const, controllers: ['memory'], mountPoint: '/sys/fs/cgroup/memory' },
      { version: 2 as const, controllers: [], mountPoint: '/sys/fs/cgroup/unified' },
    ];
    const paths = { cpu: '/sys/fs/cgroup/cpu,cpuacct/x', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/x', memory: '/sys/fs/cgroup/memory/x', 'name=systemd': '/sys/fs/cgroup/systemd/x', '': '/sys/fs/cgroup/unified/x' };
    const { plan: p } = plan(() => {}, { cgroupPaths: paths, cgroupMounts });
    const cg = p.mounts.filter((m) => m.origin === 6).map((m) => [m.target.slice(p.rootfs!.length), m.symlink ? `-> ${m.source}` : m.source]);
    expect(cg).toEqual([
      ['/sys/fs/cgroup', 'tmpfs'],
      ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/systemd/x'],
      ['/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/cpu,cpuacct/x'],
      ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/memory/x'],
      ['/sys/fs/cgroup/cpu', '-> cpu,cpuacct'],
      ['/sys/fs/cgroup/cpuacct', '-> cpu,cpuacct'],
      ['/sys/fs/cgroup', 'tmpfs'], // the read-only remount, after the links
    ]);
    const { plan: ns } = plan((s) => s.linux?.namespaces?.push({ type: 'cgroup' }), { cgroupPaths: paths, cgroupMounts });
    expect(ns.mounts.find((m) => m.target.endsWith('/cpu,cpuacct'))).toMatchObject({ fstype: 'cgroup', source: 'cgroup', data: 'cpu,cpuacct' });
  });

  it('puts redefined default devices after the others, as runc', () => {
    const { plan: p } = plan((s) => {
      s.linux!.devices = [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o600 }, { path: '/dev/fuse', type: 'c', major: 10, minor: 229 }];
    });
    expect(p.devices.map((d) => d.hostPath)).toEqual(['/dev/random', '/dev/full', '/dev/tty', '/dev/zero', '/dev/urandom', '/dev/null', '/dev/fuse']);
    expect(p.devices.find((d) => d.hostPath === '/dev/null')!.mode & 0o777).toBe(0o600);
  });

  it('makes a shared parent mount of the rootfs private first, only when it will be shared', () => {
    // the test rootfs is under /tmp, on "/" in this mount table
    const info = (opt: string) => `1 0 8:1 / / rw ${opt} - ext4 /dev/sda rw\n2 1 8:2 / /data rw shared:7 - ext4 /dev/sdb rw\n`;
    expect(plan((s) => { s.linux!.rootfsPropagation = 'rshared'; }, { mountInfo: info('') }).plan.rootfsParentPrivate).toBe('/');
    expect(plan((s) => { s.linux!.rootfsPropagation = 'shared'; }, { mountInfo: info('') }).plan.rootfsParentPrivate).toBe('/');
    expect(plan(() => {}, { mountInfo: info('shared:1') }).plan.rootfsParentPrivate).toBeUndefined(); // rslave by default
    expect(plan((s) => { s.linux!.rootfsPropagation = 'private'; }, { mountInfo: info('shared:1') }).plan.rootfsParentPrivate).toBeUndefined();
  });

  it('binds /sys when the container shares the host network namespace', () => {
    const { plan: p } = plan((s) => {
      if (s.linux) s.linux.namespaces = s.linux.namespaces?.filter((n) => n.type !== 'network');
    });
    const sys = p.mounts.find((m) => m.target.endsWith('/sys'));
    expect(sys).toMatchObject({ source: '/sys', bind: true });
    expect(sys!.flags & MS_REC).toBeTruthy();
  });

  it('bind-mounts devices instead of mknod in a user namespace', () => {
    const { plan: p } = plan((s) => {
      s.linux?.namespaces?.push({ type: 'user' });
      if (s.linux) {
        s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      }
    });
    expect(p.usernsMaps).toBe(true);
    expect(p.devices.every((d) => d.bind)).toBe(true);
  });

  it('resolves mount destinations through symlinks inside the rootfs', () => {
    fs.symlinkSync('/etc', path.join(bundle, 'rootfs', 'escape'));
    try {
      const { plan: p } = plan((s) => s.mounts?.push({ destination: '/escape/x', type: 'tmpfs', source: 'tmpfs' }));
      expect(p.mounts.at(-1)!.target).toBe(path.join(p.rootfs!, 'etc/x'));
    } finally {
      fs.unlinkSync(path.join(bundle, 'rootfs', 'escape'));
    }
  });

  it('splits the hook state around the pid', () => {
    const { plan: p } = plan(() => {}, { hookState: { prefix: '{"id":"x","status":"creating","pid":', suffix: '}' } });
    expect(p.hookStatePrefix).toBe('{"id":"x","status":"creating","pid":');
    // startContainer hooks run after `start`: the container is "created" then
    expect(p.startHookStatePrefix).toBe('{"id":"x","status":"created","pid":');
  });

  const failures: [string, (s: Spec) => void, RegExp][] = [
    ['no linux section', (s) => delete s.linux, /^linux: /],
    ['no process', (s) => delete s.process, /^process: /],
    ['empty args', (s) => { s.process!.args = []; }, /^process\.args: args must not be empty/],
    ['relative cwd', (s) => { s.process!.cwd = 'x'; }, /^process\.cwd: /],
    ['bad env', (s) => { s.process!.env = ['NOEQUALS']; }, /^process\.env\[0\]: /],
    ['bad uid', (s) => { s.process!.user.uid = -1; }, /^process\.user\.uid: /],
    ['no mount ns', (s) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'mount'); }, /^linux\.namespaces: a mount namespace is required/],
    ['duplicate ns', (s) => s.linux!.namespaces!.push({ type: 'pid' }), /^linux\.namespaces\[5\]: .*duplicated ns "pid"/],
    ['ns path missing', (s) => { s.linux!.namespaces![1] = { type: 'network', path: '/no/such/ns' }; }, /^linux\.namespaces\[1\]\.path: /],
    ['maps without userns', (s) => { s.linux!.uidMappings = [{ containerID: 0, hostID: 1, size: 1 }]; }, /^linux\.uidMappings: /],
    ['userns without maps', (s) => s.linux!.namespaces!.push({ type: 'user' }), /^linux\.uidMappings: /],
    ['hostname without uts', (s) => { s.hostname = 'h'; s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'uts'); }, /^hostname: /],
    ['host sysctl', (s) => { s.linux!.sysctl = { 'vm.swappiness': '10' }; }, /^linux\.sysctl\["vm\.swappiness"\]: .*not in a separate kernel namespace/],
    ['net sysctl without netns', (s) => { s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' }; s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network'); }, /^linux\.sysctl\["net\.ipv4\.ip_forward"\]: /],
    ['relative hook path', (s) => { s.hooks = { poststop: [{ path: 'rel' }] }; }, /^hooks\.poststop\[0\]\.path: /],
    ['bad hook timeout', (s) => { s.hooks = { prestart: [{ path: '/bin/true', timeout: -1 }] }; }, /^hooks\.prestart\[0\]\.timeout: /],
    ['device outside /dev', (s) => { s.linux!.devices = [{ path: '/etc/x', type: 'c', major: 1, minor: 3 }]; }, /^linux\.devices\[0\]\.path: /],
    ['bad device type', (s) => { s.linux!.devices = [{ path: '/dev/x', type: 'z', major: 1, minor: 3 }]; }, /^linux\.devices\[0\]\.type: /],
    ['bind without source', (s) => s.mounts!.push({ destination: '/x', type: 'bind', options: ['rbind'] }), /^mounts\[7\]\.source: /],
    ['mount without destination', (s) => s.mounts!.push({ destination: '', type: 'tmpfs' }), /^mounts\[7\]\.destination: /],
    ['intelRdt', (s) => { s.linux!.intelRdt = {}; }, /^linux\.intelRdt: /],
    ['time namespace', (s) => s.linux!.namespaces!.push({ type: 'time' }), /^linux\.namespaces\[5\]\.type: time namespaces/],
    ['soft > hard rlimit', (s) => { s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 5 }]; }, /^process\.rlimits\[0\]: soft limit/],
    ['oomScoreAdj range', (s) => { s.process!.oomScoreAdj = 5000; }, /^process\.oomScoreAdj: /],
    ['bad seccomp action', (s) => { s.linux!.seccomp = { defaultAction: 'SCMP_ACT_NOPE' }; }, /linux\.seccomp\.defaultAction/],
  ];
  for (const [name, mutate, message] of failures) {
    it(`rejects ${name}, naming the field`, () => {
      expect(() => plan(mutate)).toThrow(message);
    });
  }

  it('warns about AppArmor instead of failing', () => {
    const { warnings } = plan((s) => { s.process!.apparmorProfile = 'docker-default'; });
    expect(warnings.join('\n')).toContain('process.apparmorProfile');
  });
});

describe('buildExecPlan', () => {
  it('joins every namespace of the container, user first, and creates none', () => {
    const spec = defaultSpec();
    spec.linux?.namespaces?.push({ type: 'user' });
    const { plan: p } = buildExecPlan({ spec, initPid: 4242, process: { ...spec.process!, args: ['ls'] }, preserveFds: 0 });
    expect(p.cloneFlags).toBe(0);
    expect(p.rootfs).toBeUndefined();
    expect(p.joinNamespaces.map((j) => j.path)).toEqual([
      '/proc/4242/ns/user', '/proc/4242/ns/ipc', '/proc/4242/ns/uts', '/proc/4242/ns/net', '/proc/4242/ns/pid', '/proc/4242/ns/mnt',
    ]);
    expect(p.args).toEqual(['ls']);
  });
});
