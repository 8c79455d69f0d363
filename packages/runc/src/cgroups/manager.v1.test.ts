/**
 * Real cgroup v1 (and hybrid) tests: run as root, under this process's own
 * cgroups, below a unique prefix that is removed afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { type CgroupManager, cgroupManager } from './manager.js';
import { detectLayout, parseProcCgroup } from './paths.js';
import { RUNC_DEFAULT_ALLOWED_DEVICES } from './devices.js';

const layout = detectLayout();
const enabled = process.getuid?.() === 0 && layout.mode !== 'v2';
const prefix = `berth-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
let seq = 0;
const managers: CgroupManager[] = [];
const children: ChildProcess[] = [];

function newManager(): CgroupManager {
  const m = cgroupManager({ cgroupsPath: `${prefix}/c${seq++}`, id: 'unused' });
  managers.push(m);
  return m;
}

function start(cmd: string, args: string[]): ChildProcess & { pid: number } {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  children.push(c);
  if (c.pid === undefined) throw new Error(`spawn ${cmd} failed`);
  return c as ChildProcess & { pid: number };
}

const exited = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

async function killAndWait(c: ChildProcess): Promise<void> {
  if (exited(c)) return;
  const done = once(c, 'exit');
  c.kill('SIGKILL');
  await done;
}

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

const read = (dir: string | undefined, file: string): string => fs.readFileSync(path.join(dir ?? '', file), 'utf8').trim();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function caught(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

afterEach(async () => {
  for (const m of managers) {
    try {
      m.thaw(); // a frozen v1 task only dies once thawed
      // Anything left in a test cgroup descends from a process we spawned.
      m.signalAll('SIGKILL');
    } catch {
      // never created, or already gone
    }
  }
  await Promise.all(children.splice(0).map(killAndWait));
  for (const m of managers.splice(0)) {
    for (let i = 0; i < 200 && m.exists() && m.pids().length > 0; i++) await sleep(10);
    m.destroy();
  }
});

afterAll(() => {
  if (enabled) cgroupManager({ cgroupsPath: prefix, id: 'unused' }).destroy();
});

describe.skipIf(!enabled)('cgroup v1 manager (real cgroups)', () => {
  it('resolves a relative path under this process own cgroups', () => {
    const m = newManager();
    const own = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
    expect(m.version).toBe(1);
    for (const sub of ['cpuset', 'devices', 'memory', 'cpu', 'cpuacct', 'pids', 'freezer', 'name=systemd']) {
      if (!layout.mounts.some((x) => x.controllers.includes(sub))) continue;
      const mount = layout.mounts.find((x) => x.controllers.includes(sub))!;
      const want = path.posix.join(mount.mountPoint, path.posix.relative(mount.root, own.get(sub)!), prefix, 'c0');
      expect(m.paths[sub]).toBe(want);
    }
    if (layout.mode === 'hybrid') expect(m.paths['']).toMatch(new RegExp(`/${prefix}/c0$`));
    expect(m.exists()).toBe(false);
  });

  it('creates every dir, copies cpuset down, and moves a process in', async () => {
    const m = newManager();
    m.create();
    for (const dir of Object.values(m.paths)) expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(read(m.paths['cpuset'], 'cpuset.cpus')).not.toBe('');
    expect(read(path.dirname(m.paths['cpuset']!), 'cpuset.mems')).not.toBe('');
    const c = start('sleep', ['30']);
    m.apply(c.pid);
    const cg = fs.readFileSync(`/proc/${c.pid}/cgroup`, 'utf8');
    for (const line of cg.trim().split('\n')) expect(line).toMatch(new RegExp(`/${prefix}/c1$`));
    expect(m.pids()).toEqual([c.pid]);
    expect(m.exists()).toBe(true);
    await killAndWait(c);
    m.destroy();
    for (const dir of Object.values(m.paths)) expect(fs.existsSync(dir)).toBe(false);
    expect(m.exists()).toBe(false);
    m.destroy(); // gone already: fine
  });

  it('applies cpuset values given to create() before the first pid', () => {
    const m = newManager();
    m.create({ cpu: { cpus: '0', mems: '0' } });
    expect(read(m.paths['cpuset'], 'cpuset.cpus')).toBe('0');
  });

  it('sets memory limits in an order the kernel accepts', () => {
    const m = newManager();
    m.create();
    const dir = m.paths['memory'];
    const mib = 1024 * 1024;
    const { warnings } = m.set({ memory: { limit: 64 * mib, reservation: 32 * mib, swap: 128 * mib, swappiness: 10, disableOOMKiller: true, kernel: 1 } });
    expect(warnings).toEqual(['linux.resources.memory.kernel: kernel memory settings are ignored and will be removed']);
    expect(read(dir, 'memory.limit_in_bytes')).toBe(String(64 * mib));
    expect(read(dir, 'memory.soft_limit_in_bytes')).toBe(String(32 * mib));
    expect(read(dir, 'memory.swappiness')).toBe('10');
    expect(read(dir, 'memory.oom_control')).toMatch(/oom_kill_disable 1/);
    if (fs.existsSync(path.join(dir!, 'memory.memsw.limit_in_bytes'))) {
      expect(read(dir, 'memory.memsw.limit_in_bytes')).toBe(String(128 * mib));
      m.set({ memory: { limit: 16 * mib, swap: 24 * mib } }); // lowering: memory first
      expect(read(dir, 'memory.memsw.limit_in_bytes')).toBe(String(24 * mib));
      m.set({ memory: { limit: 256 * mib, swap: 512 * mib } }); // raising: memsw first
      expect(read(dir, 'memory.limit_in_bytes')).toBe(String(256 * mib));
      m.set({ memory: { limit: -1 } }); // unlimited memory => unlimited memsw
      expect(Number(read(dir, 'memory.memsw.limit_in_bytes'))).toBeGreaterThan(2 ** 60);
    }
  });

  it('reports a value the kernel rejects, naming the field, and keeps the old value', () => {
    const m = newManager();
    m.create();
    m.set({ memory: { limit: 64 * 1024 * 1024 }, cpu: { cpus: '0' } });
    const e1 = caught(() => m.set({ memory: { limit: -2 } }));
    expect(isBerthError(e1, 'InvalidArgument')).toBe(true);
    expect(e1.message).toBe('linux.resources.memory.limit: write memory.limit_in_bytes: Invalid argument');
    expect(read(m.paths['memory'], 'memory.limit_in_bytes')).toBe(String(64 * 1024 * 1024));
    const e2 = caught(() => m.set({ cpu: { cpus: '999999' } }));
    expect(e2.message).toMatch(/^linux.resources.cpu.cpus: write cpuset.cpus: /);
    expect(read(m.paths['cpuset'], 'cpuset.cpus')).toBe('0');
    const e3 = caught(() => m.set({ cpu: { shares: 1_000_000 } }));
    expect(e3.message).toBe('linux.resources.cpu.shares: the maximum allowed cpu-shares is 262144');
    // Invalid as a whole: nothing at all is written.
    m.set({ pids: { limit: 7 } });
    expect(caught(() => m.set({ pids: { limit: 5 }, memory: { swappiness: 200 } })).message).toMatch(
      /^linux.resources.memory.swappiness: invalid memory swappiness value: 200/,
    );
    expect(read(m.paths['pids'], 'pids.max')).toBe('7');
    expect(caught(() => m.set({ unified: { 'memory.high': '1' } })).message).toMatch(/^linux.resources.unified: .*cgroup v1/);
  });

  it('sets cpu, cpuset and pids', () => {
    const m = newManager();
    m.create();
    m.set({ cpu: { shares: 512, period: 50000, quota: 25000, cpus: '0', mems: '0' }, pids: { limit: 10 } });
    expect(read(m.paths['cpu'], 'cpu.shares')).toBe('512');
    expect(read(m.paths['cpu'], 'cpu.cfs_period_us')).toBe('50000');
    expect(read(m.paths['cpu'], 'cpu.cfs_quota_us')).toBe('25000');
    expect(read(m.paths['cpuset'], 'cpuset.cpus')).toBe('0');
    expect(read(m.paths['cpuset'], 'cpuset.mems')).toBe('0');
    expect(read(m.paths['pids'], 'pids.max')).toBe('10');
    m.set({ cpu: { quota: -1, period: 100000 }, pids: { limit: -1 } });
    expect(read(m.paths['cpu'], 'cpu.cfs_quota_us')).toBe('-1');
    expect(read(m.paths['pids'], 'pids.max')).toBe('max');
    m.set({ pids: { limit: 0 } }); // 0 = leave alone
    expect(read(m.paths['pids'], 'pids.max')).toBe('max');
  });

  it('sets blkio weight and throttles', () => {
    const m = newManager();
    m.create();
    const dir = m.paths['blkio']!;
    m.set({ blockIO: { weight: 500 } });
    const weightFile = fs.existsSync(path.join(dir, 'blkio.weight')) ? 'blkio.weight' : 'blkio.bfq.weight';
    expect(read(dir, weightFile)).toMatch(/(^|default )500$/);
    const disk = fs.readFileSync('/proc/partitions', 'utf8').split('\n').slice(2).find((l) => l.trim() !== '');
    if (disk) {
      const [major, minor] = disk.trim().split(/\s+/).map(Number);
      m.set({ blockIO: { throttleReadBpsDevice: [{ major: major!, minor: minor!, rate: 1048576 }] } });
      expect(read(dir, 'blkio.throttle.read_bps_device')).toBe(`${major}:${minor} 1048576`);
    }
    const e = caught(() => m.set({ blockIO: { throttleWriteIOPSDevice: [{ major: 4095, minor: 4095, rate: 1 }] } }));
    expect(e.message).toMatch(/^linux.resources.blockIO.throttleWriteIOPSDevice\[0\]: write blkio.throttle.write_iops_device: /);
  });

  it('sets device rules by the minimal transition', () => {
    const m = newManager();
    m.create();
    const dir = m.paths['devices'];
    expect(read(dir, 'devices.list')).toBe('a *:* rwm');
    m.set({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }] });
    expect(read(dir, 'devices.list')).toBe('c 1:3 rwm');
    m.set({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'rw' }] });
    expect(read(dir, 'devices.list').split('\n').sort()).toEqual(['c 1:3 rwm', 'c 1:5 rw']);
    m.set({ devices: [{ allow: false, access: 'rwm' }, ...RUNC_DEFAULT_ALLOWED_DEVICES] });
    expect(read(dir, 'devices.list').split('\n')).toContain('c 136:* rwm');
    expect(read(dir, 'devices.list').split('\n')).not.toContain('c 1:5 rw');
    m.set({ devices: [{ allow: true, access: 'rwm' }] });
    expect(read(dir, 'devices.list')).toBe('a *:* rwm');
  });

  it('freezes and thaws a busy process', async () => {
    const m = newManager();
    m.create();
    const c = start('sh', ['-c', 'while :; do :; done']);
    m.apply(c.pid);
    await sleep(50);
    m.freeze();
    expect(read(m.paths['freezer'], 'freezer.state')).toBe('FROZEN');
    expect(m.isFrozen()).toBe(true);
    const t0 = cpuTicks(c.pid);
    await sleep(300);
    expect(cpuTicks(c.pid)).toBe(t0); // no progress while frozen
    m.thaw();
    expect(read(m.paths['freezer'], 'freezer.state')).toBe('THAWED');
    expect(m.isFrozen()).toBe(false);
    await sleep(300);
    expect(cpuTicks(c.pid)).toBeGreaterThan(t0);
  });

  it('signals every process and lists nested pids', async () => {
    const m = newManager();
    m.create();
    const a = start('sleep', ['30']);
    const b = start('sleep', ['30']);
    m.apply(a.pid);
    m.apply(b.pid);
    // A process in a sub-cgroup is part of the container too (pids() walks
    // the devices hierarchy, as runc's GetAllPids).
    const sub = path.join(m.paths['devices']!, 'nested');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'cgroup.procs'), String(b.pid));
    expect(m.pids().sort()).toEqual([a.pid, b.pid].sort());
    const done = Promise.all([once(a, 'exit'), once(b, 'exit')]);
    m.signalAll('SIGTERM');
    const [[, sigA], [, sigB]] = await done;
    expect([sigA, sigB]).toEqual(['SIGTERM', 'SIGTERM']);
    expect(m.isFrozen()).toBe(false);
    expect(m.pids()).toEqual([]);
  });

  it('reports stats shaped like runc events --stats', async () => {
    const m = newManager();
    m.create();
    m.set({ memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 50 }, cpu: { cpus: '0' } });
    const c = start('sh', ['-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 30']);
    m.apply(c.pid);
    await sleep(300);
    const s = m.stats();
    expect(Object.keys(s)).toEqual(['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'intel_rdt', 'network_interfaces']);
    expect(s.cpu.usage.total).toBeGreaterThan(0);
    expect(s.cpu.usage.percpu?.length).toBeGreaterThan(0);
    expect(Object.keys(s.cpu.usage)).toEqual(expect.arrayContaining(['total', 'percpu', 'kernel', 'user']));
    expect(s.cpuset.cpus).toEqual([0]);
    expect(s.cpuset.sched_load_balance).toBe(1);
    expect(s.memory.usage.limit).toBe(64 * 1024 * 1024);
    expect(s.memory.usage.usage).toBeGreaterThan(0);
    expect(Object.keys(s.memory)).toEqual(expect.arrayContaining(['usage', 'swap', 'kernel', 'kernelTCP', 'raw']));
    expect(s.memory.raw).toHaveProperty('total_rss');
    expect(s.pids).toEqual({ current: 1, limit: 50 });
    expect(s.network_interfaces).toBeNull();
  });
});
