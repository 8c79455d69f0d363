/**
 * cgroup v2 code paths against a real cgroup2 mount: /sys/fs/cgroup on a
 * unified host, /sys/fs/cgroup/unified on a hybrid one (which has no
 * controllers enabled, so only the core files work: cgroup.procs,
 * cgroup.freeze, cgroup.kill, cgroup.events, cgroup.max.*, cpu.stat).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { type CgroupManager, cgroupManagerFromPaths } from './manager.js';
import { detectLayout, findV2Mount } from './paths.js';

const layout = detectLayout();
const mount = findV2Mount(layout);
const enabled = process.getuid?.() === 0 && mount !== undefined && fs.existsSync(path.join(mount.mountPoint, 'cgroup.procs'));
const prefix = `berth-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
// Below our own cgroup on this mount (its parent on a pure v2 host, where
// our own cgroup holds processes), like runc does for relative paths.
const own = layout.own.get('') ?? '/';
const base = mount
  ? path.posix.join(mount.mountPoint, path.posix.relative(mount.root, layout.mode === 'v2' ? path.posix.dirname(own) : own), prefix)
  : '';
let seq = 0;
const managers: CgroupManager[] = [];
const children: ChildProcess[] = [];

function newManager(): CgroupManager {
  const m = cgroupManagerFromPaths({ '': path.posix.join(base, `c${seq++}`) });
  managers.push(m);
  return m;
}

function start(cmd: string, args: string[]): ChildProcess & { pid: number } {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  children.push(c);
  if (c.pid === undefined) throw new Error(`spawn ${cmd} failed`);
  return c as ChildProcess & { pid: number };
}

async function killAndWait(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = once(c, 'exit');
  c.kill('SIGKILL');
  await done;
}

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
      m.thaw();
      m.signalAll('SIGKILL'); // only our own children can be in a test cgroup
    } catch {
      // never created
    }
  }
  await Promise.all(children.splice(0).map(killAndWait));
  for (const m of managers.splice(0)) {
    for (let i = 0; i < 200 && m.exists() && m.pids().length > 0; i++) await sleep(10);
    m.destroy();
  }
});

afterAll(() => {
  if (enabled) cgroupManagerFromPaths({ '': base }).destroy();
});

describe.skipIf(!enabled)('cgroup v2 manager (real cgroup2 mount)', () => {
  it('creates the cgroup and moves a process in', async () => {
    const m = newManager();
    expect(m.version).toBe(2);
    expect(m.exists()).toBe(false);
    m.create();
    expect(m.exists()).toBe(true);
    expect(read(m.paths[''], 'cgroup.type')).toBe('domain');
    const c = start('sleep', ['30']);
    m.apply(c.pid);
    expect(fs.readFileSync(`/proc/${c.pid}/cgroup`, 'utf8')).toMatch(new RegExp(`^0::.*/${prefix}/c0$`, 'm'));
    expect(m.pids()).toEqual([c.pid]);
    await killAndWait(c);
    m.destroy();
    expect(fs.existsSync(m.paths['']!)).toBe(false);
    m.destroy();
  });

  it('freezes with cgroup.freeze and waits for cgroup.events', async () => {
    const m = newManager();
    m.create();
    const c = start('sh', ['-c', 'while :; do :; done']);
    m.apply(c.pid);
    await sleep(50);
    m.freeze();
    expect(read(m.paths[''], 'cgroup.freeze')).toBe('1');
    expect(read(m.paths[''], 'cgroup.events')).toMatch(/^frozen 1$/m);
    expect(m.isFrozen()).toBe(true);
    const t0 = cpuTicks(c.pid);
    await sleep(300);
    expect(cpuTicks(c.pid)).toBe(t0);
    m.thaw();
    expect(m.isFrozen()).toBe(false);
    await sleep(300);
    expect(cpuTicks(c.pid)).toBeGreaterThan(t0);
  });

  it('lists pids recursively and signals them all (freeze/kill/thaw, or cgroup.kill)', async () => {
    const m = newManager();
    m.create();
    const a = start('sleep', ['30']);
    const b = start('sleep', ['30']);
    m.apply(a.pid);
    // A nested cgroup: a process may not live in an inner node with
    // controllers enabled, but here none are, so it can.
    const sub = path.join(m.paths['']!, 'nested');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'cgroup.procs'), String(b.pid));
    expect(m.pids().sort()).toEqual([a.pid, b.pid].sort());
    const termA = once(a, 'exit');
    const termB = once(b, 'exit');
    m.signalAll('SIGTERM');
    expect((await termA)[1]).toBe('SIGTERM');
    expect((await termB)[1]).toBe('SIGTERM');
    expect(m.isFrozen()).toBe(false);

    const c = start('sleep', ['30']);
    m.apply(c.pid);
    const killed = once(c, 'exit');
    m.signalAll('SIGKILL');
    expect((await killed)[1]).toBe('SIGKILL');
  });

  it('writes the unified map verbatim and names the field on failure', () => {
    const m = newManager();
    m.create();
    m.set({ unified: { 'cgroup.max.descendants': '5' } });
    expect(read(m.paths[''], 'cgroup.max.descendants')).toBe('5');
    const e = caught(() => m.set({ unified: { 'cgroup.max.descendants': 'lots' } }));
    expect(isBerthError(e, 'InvalidArgument')).toBe(true);
    expect(e.message).toBe('linux.resources.unified["cgroup.max.descendants"]: write cgroup.max.descendants: Invalid argument');
    expect(read(m.paths[''], 'cgroup.max.descendants')).toBe('5');
    if (!read(m.paths[''], 'cgroup.controllers').split(' ').includes('memory')) {
      const e2 = caught(() => m.set({ unified: { 'memory.high': '1M' } }));
      expect(e2.message).toMatch(/^linux.resources.unified\["memory.high"\]: controller "memory" not available/);
    }
  });

  it('names the field when a controller is missing, and enforces devices with eBPF', () => {
    const m = newManager();
    m.create();
    const ctrls = read(m.paths[''], 'cgroup.controllers').split(' ');
    if (!ctrls.includes('pids')) {
      const e = caught(() => m.set({ pids: { limit: 10 } }));
      expect(isBerthError(e, 'FailedPrecondition')).toBe(true);
      expect(e.message).toBe('linux.resources.pids.limit: write pids.max: No such file or directory');
    }
    if (!ctrls.includes('cpu')) {
      const e = caught(() => m.set({ cpu: { shares: 1024, quota: 50000 } }));
      expect(e.message).toBe('linux.resources.cpu.shares: write cpu.weight: No such file or directory');
    }
    // device rules become an eBPF program on the cgroup (see device-bpf.test.ts)
    const { warnings } = m.set({ devices: [{ allow: false, access: 'rwm' }] });
    expect(warnings).toEqual([]);
  });

  it('sets limits through whichever controllers this host enables', () => {
    const m = newManager();
    m.create();
    const dir = m.paths[''];
    const ctrls = read(dir, 'cgroup.controllers').split(' ');
    const mib = 1024 * 1024;
    if (ctrls.includes('pids')) {
      m.set({ pids: { limit: 10 } });
      expect(read(dir, 'pids.max')).toBe('10');
    }
    if (ctrls.includes('memory')) {
      m.set({ memory: { limit: 64 * mib, reservation: 32 * mib } });
      expect(read(dir, 'memory.max')).toBe(String(64 * mib));
      expect(read(dir, 'memory.low')).toBe(String(32 * mib));
      if (fs.existsSync(path.join(dir!, 'memory.swap.max'))) {
        m.set({ memory: { limit: 64 * mib, swap: 96 * mib } }); // OCI swap is memory+swap
        expect(read(dir, 'memory.swap.max')).toBe(String(32 * mib));
      }
    }
    if (ctrls.includes('cpu')) {
      m.set({ cpu: { shares: 1024, quota: 50000, period: 100000 } });
      expect(read(dir, 'cpu.weight')).toBe('39');
      expect(read(dir, 'cpu.max')).toBe('50000 100000');
    }
    if (ctrls.includes('cpuset')) {
      m.set({ cpu: { cpus: '0' } });
      expect(read(dir, 'cpuset.cpus')).toBe('0');
    }
  });

  it('reports stats shaped like runc (v2 sources)', async () => {
    const m = newManager();
    m.create();
    const c = start('sh', ['-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 30']);
    m.apply(c.pid);
    await sleep(300);
    const s = m.stats();
    expect(Object.keys(s)).toEqual(['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'intel_rdt', 'network_interfaces']);
    expect(s.pids.current).toBe(1);
    expect(s.cpu.usage.total).toBeGreaterThan(0);
    expect(s.cpu.usage.user + s.cpu.usage.kernel).toBeGreaterThan(0);
    expect(s.memory.usage).toHaveProperty('limit');
    expect(s.cpuset).not.toHaveProperty('cpus');
  });
});
