/**
 * linux.resources and linux.cgroupsPath on this machine's cgroup v1
 * hierarchies, as root: the limits are written where the container's
 * processes are, seen from the host and from inside, enforced (pids, devices),
 * and every cgroup goes away on delete. Absolute paths live under a unique
 * /berth-test-<pid> prefix that the test removes. The v2 code paths cannot run
 * here (no controllers on the unified mount); unit tests cover them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, tempRoot, uniqueId } from '../helpers/bundle.js';
import { Runtime } from '../helpers/runtime.js';
import { ownCgroup, procCgroups, runBoth, type Pair } from '../helpers/differential.js';
import type { Spec } from '../../packages/runc/src/spec/types.js';

const V1 = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];
const prefix = `/berth-test-${process.pid}`;
let tmp: string;
let rt: Runtime;
let pair: Pair;

beforeAll(() => {
  tmp = tempRoot('cgroups');
  rt = Runtime.berth(tmp);
  pair = { tmp, berth: rt, runc: Runtime.real(tmp) };
});
afterAll(() => {
  rt.cleanup();
  pair.runc.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
  // the absolute cgroupsPath prefix (delete removes the container's own dir only, as runc)
  for (const c of [...V1, 'systemd', 'unified']) {
    const dir = path.join('/sys/fs/cgroup', c, prefix);
    if (fs.existsSync(dir)) fs.rmdirSync(dir);
  }
});

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8').trim();

function detached(args: string[], mutate: (s: Spec) => void): { id: string; pid: number } {
  const b = makeBundle(tmp, args, mutate);
  const id = uniqueId('cg');
  rt.ok(['run', '-d', '--bundle', b.dir, id]);
  return { id, pid: rt.state(id).pid };
}

const RESOURCES = (s: Spec) => {
  s.linux!.resources = {
    ...s.linux!.resources,
    memory: { limit: 96 << 20, reservation: 64 << 20 },
    cpu: { shares: 256, quota: 20000, period: 50000, cpus: '0', mems: '0' },
    pids: { limit: 40 },
    blockIO: { weight: 300 },
  };
};

describe('linux.resources on cgroup v1', () => {
  it('writes memory, cpu, cpuset, pids and blkio limits to the container\'s cgroups, seen the same inside', () => {
    const { id, pid } = detached(['sleep', '300'], RESOURCES);
    const cg = procCgroups(pid);
    const dir = (c: string) => path.join('/sys/fs/cgroup', c, cg.get(c)!);
    expect(cg.get('memory')).toBe(path.posix.join(ownCgroup('memory'), id));
    expect(read(dir('memory'), 'memory.limit_in_bytes')).toBe(String(96 << 20));
    expect(read(dir('memory'), 'memory.soft_limit_in_bytes')).toBe(String(64 << 20));
    expect(read(dir('cpu'), 'cpu.shares')).toBe('256');
    expect(read(dir('cpu'), 'cpu.cfs_quota_us')).toBe('20000');
    expect(read(dir('cpu'), 'cpu.cfs_period_us')).toBe('50000');
    expect(read(dir('cpuset'), 'cpuset.cpus')).toBe('0');
    expect(read(dir('cpuset'), 'cpuset.mems')).toBe('0');
    expect(read(dir('pids'), 'pids.max')).toBe('40');
    // CFQ's blkio.weight; kernels with BFQ only have blkio.bfq.weight (this one)
    const weightFile = fs.existsSync(path.join(dir('blkio'), 'blkio.weight')) ? 'blkio.weight' : 'blkio.bfq.weight';
    expect(read(dir('blkio'), weightFile)).toMatch(/^(default )?300$/);
    const inside = rt.ok(['exec', id, 'sh', '-c', 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes cpu/cpu.shares pids/pids.max']);
    expect(inside).toBe(`${96 << 20}\n256\n40\n`);
    rt.ok(['delete', '-f', id]);
    for (const c of V1) expect(fs.existsSync(dir(c)), `${c} removed on delete`).toBe(false);
  });

  it('writes the same values as runc', () => {
    const script = `cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpuset/cpuset.cpus pids/pids.max blkio/blkio.*weight devices/devices.list`;
    const r = runBoth(pair, ['sh', '-c', script], RESOURCES);
    expect(r.berth.stderr).toBe('');
    expect(r.berth.stdout).toBe(r.runc.stdout);
  });

  it('enforces pids.limit: a container limited to 5 cannot fork 20 sleeps', () => {
    const b = makeBundle(tmp, ['sh', '-c', 'for i in $(seq 20); do sleep 10 & done'], (s) => {
      s.linux!.resources = { ...s.linux!.resources, pids: { limit: 5 } };
    });
    const id = uniqueId('pids');
    const r = rt.run(['run', '--bundle', b.dir, id]);
    expect(r.stderr).toMatch(/can't fork: Resource temporarily unavailable/);
    expect(r.status).not.toBe(0);
    expect(rt.run(['state', id]).status).toBe(1); // the sleeps went with the container
  });

  it('applies the limits once init is set up, so pids.limit 1 leaves room for the container\'s one process', () => {
    // the runtime's helper processes (stage 1, the init before it execs) must not count, as with runc
    const r = runBoth(pair, ['sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max'], (s) => {
      s.linux!.resources = { ...s.linux!.resources, pids: { limit: 1 } };
    });
    expect(r.runc.stdout).toBe('1\n');
    expect(r.berth.stderr).toBe('');
    expect(r.berth.stdout).toBe('1\n');
  });

  it('applies device rules: a denied device cannot be opened (EPERM), an allowed one can', () => {
    const fuse = { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666 };
    const probe = 'head -c 0 /dev/fuse 2>&1 && echo opened; head -c 1 /dev/urandom | wc -c';
    const deny = (s: Spec) => {
      s.linux!.devices = [fuse];
      s.linux!.resources!.devices = [
        { allow: true, access: 'rwm' },
        { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' },
      ];
    };
    const r = runBoth(pair, ['sh', '-c', probe], deny);
    expect(r.berth.stdout).toBe('head: /dev/fuse: Operation not permitted\n1\n');
    expect(r.berth.stdout).toBe(r.runc.stdout);
    const allowed = runBoth(pair, ['sh', '-c', probe], (s) => {
      deny(s);
      s.linux!.resources!.devices!.pop();
    });
    expect(allowed.berth.stdout).toBe('opened\n1\n');
    expect(allowed.berth.stdout).toBe(allowed.runc.stdout);
  });
});

describe('linux.cgroupsPath', () => {
  it('puts the container at an absolute path in every hierarchy and removes it on delete', () => {
    const cgPath = `${prefix}/abs-${uniqueId('a')}`;
    const { id, pid } = detached(['sleep', '300'], (s) => {
      s.linux!.cgroupsPath = cgPath;
      s.linux!.resources = { ...s.linux!.resources, memory: { limit: 80 << 20 } };
    });
    const cg = procCgroups(pid);
    for (const c of V1) expect(cg.get(c), c).toBe(cgPath);
    expect(read(path.join('/sys/fs/cgroup/memory', cgPath), 'memory.limit_in_bytes')).toBe(String(80 << 20));
    rt.ok(['delete', '-f', id]);
    for (const c of V1) expect(fs.existsSync(path.join('/sys/fs/cgroup', c, cgPath)), c).toBe(false);
  });

  it('puts a relative path below the runtime\'s own cgroup and removes it on delete', () => {
    const rel = `berth-rel-${process.pid}-${uniqueId('r')}`;
    const { id, pid } = detached(['sleep', '300'], (s) => { s.linux!.cgroupsPath = rel; });
    const cg = procCgroups(pid);
    // this test process sits in /process_api/<x> in the memory hierarchy and in / in the others
    for (const c of V1) expect(cg.get(c), c).toBe(path.posix.join(ownCgroup(c), rel));
    rt.ok(['delete', '-f', id]);
    for (const c of V1) expect(fs.existsSync(path.join('/sys/fs/cgroup', c, ownCgroup(c), rel)), c).toBe(false);
  });

  it('uses the container id when cgroupsPath is empty, as runc', () => {
    const { id, pid } = detached(['sleep', '300'], (s) => { delete s.linux!.cgroupsPath; });
    expect(procCgroups(pid).get('pids')).toBe(path.posix.join(ownCgroup('pids'), id));
    rt.ok(['delete', '-f', id]);
    expect(fs.existsSync(path.join('/sys/fs/cgroup/pids', ownCgroup('pids'), id))).toBe(false);
  });
});
