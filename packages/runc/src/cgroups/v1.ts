/**
 * Writing LinuxResources to cgroup v1 hierarchies, subsystem by subsystem in
 * runc's order (cpuset, devices, memory, cpu, pids, blkio, hugetlb, net_cls,
 * net_prio, rdma). 0/undefined means "leave the kernel's value alone".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { failedPrecondition, internal, invalidArgument } from '@berth/errors';
import type { LinuxBlockIO, LinuxCPU, LinuxMemory, LinuxResources } from '../spec/types.js';
import { deviceValue, pidsMaxValue } from './convert.js';
import { DeviceEmulator, ruleString, rulesFromSpec } from './devices.js';
import { errnoCode, readRequired, readUint, sysError, writeFile, writeRaw } from './fsutil.js';
import { networkSettings, rdmaLimits } from './validate.js';

type Paths = Record<string, string>;

function dirOf(paths: Paths, sub: string, field: string): string {
  const dir = paths[sub];
  if (dir === undefined) {
    throw failedPrecondition(`${field}: cannot set ${sub} limit: the ${sub} cgroup controller is not mounted`);
  }
  return dir;
}

const has = (dir: string, file: string): boolean => fs.existsSync(path.join(dir, file));

export function setDevicesV1(dir: string, devices: NonNullable<LinuxResources['devices']>): void {
  const field = 'linux.resources.devices';
  const current = DeviceEmulator.fromList(readRequired(dir, 'devices.list', field));
  const target = DeviceEmulator.fromRules(rulesFromSpec(devices));
  for (const rule of current.transition(target)) {
    const file = rule.allow ? 'devices.allow' : 'devices.deny';
    try {
      writeRaw(dir, file, ruleString(rule));
    } catch (err) {
      throw sysError(field, `write ${file} "${ruleString(rule)}"`, err);
    }
  }
  // The kernel may refuse silently (e.g. a parent that does not allow the
  // device); check that what we asked for is what we got.
  const after = DeviceEmulator.fromList(readRequired(dir, 'devices.list', field));
  if (!target.defaultAllow && !after.equals(target)) {
    throw internal(`${field}: resulting devices cgroup doesn't precisely match target`);
  }
  if (target.defaultAllow !== after.defaultAllow) {
    throw internal(`${field}: resulting devices cgroup doesn't match target mode`);
  }
}

function writeMemoryLimit(dir: string, limit: number): void {
  if (limit === 0) return;
  try {
    writeRaw(dir, 'memory.limit_in_bytes', String(limit));
  } catch (err) {
    const e = sysError('linux.resources.memory.limit', 'write memory.limit_in_bytes', err);
    if (errnoCode(err) !== 'EBUSY') throw e;
    // EBUSY: the kernel could not reclaim down to the new limit.
    const usage = readUint(dir, 'memory.usage_in_bytes') ?? 0;
    const peak = readUint(dir, 'memory.max_usage_in_bytes') ?? 0;
    e.message += ` (unable to set memory limit to ${limit}: current usage ${usage}, peak usage ${peak})`;
    throw e;
  }
}

function writeSwapLimit(dir: string, swap: number): void {
  if (swap === 0) return;
  // memory.memsw.* only exists with swap accounting (CONFIG_MEMCG_SWAP and
  // swapaccount=1); like runc we fail then rather than ignore the limit.
  writeFile(dir, 'memory.memsw.limit_in_bytes', String(swap), 'linux.resources.memory.swap');
}

export function setMemoryV1(dir: string, m: LinuxMemory): void {
  const limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  // Unlimited memory with no swap setting means unlimited memory+swap too.
  if (limit === -1 && swap === 0 && has(dir, 'memory.memsw.limit_in_bytes')) swap = -1;
  // The kernel requires memory <= memsw at every moment, so when raising
  // both, raise memsw first; when lowering, lower memory first.
  if (limit !== 0 && swap !== 0) {
    const cur = readUint(dir, 'memory.limit_in_bytes') ?? 0;
    if (swap === -1 || cur < swap) {
      writeSwapLimit(dir, swap);
      writeMemoryLimit(dir, limit);
    } else {
      writeMemoryLimit(dir, limit);
      writeSwapLimit(dir, swap);
    }
  } else {
    writeMemoryLimit(dir, limit);
    writeSwapLimit(dir, swap);
  }
  if (m.reservation) {
    writeFile(dir, 'memory.soft_limit_in_bytes', String(m.reservation), 'linux.resources.memory.reservation');
  }
  if (m.disableOOMKiller) writeFile(dir, 'memory.oom_control', '1', 'linux.resources.memory.disableOOMKiller');
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    writeFile(dir, 'memory.swappiness', String(m.swappiness), 'linux.resources.memory.swappiness');
  }
}

/** Realtime bandwidth; also done before a pid joins (a SCHED_RR task can't join a group without it). */
export function setRtV1(dir: string, c: LinuxCPU): void {
  if (c.realtimePeriod) writeFile(dir, 'cpu.rt_period_us', String(c.realtimePeriod), 'linux.resources.cpu.realtimePeriod');
  if (c.realtimeRuntime) writeFile(dir, 'cpu.rt_runtime_us', String(c.realtimeRuntime), 'linux.resources.cpu.realtimeRuntime');
}

export function setCpuV1(dir: string, c: LinuxCPU): void {
  if (c.shares) {
    writeFile(dir, 'cpu.shares', String(c.shares), 'linux.resources.cpu.shares');
    // The kernel clamps shares to [2, 262144] without an error: read back.
    const got = readUint(dir, 'cpu.shares');
    if (got !== undefined && c.shares > got) {
      throw invalidArgument(`linux.resources.cpu.shares: the maximum allowed cpu-shares is ${got}`);
    }
    if (got !== undefined && c.shares < got) {
      throw invalidArgument(`linux.resources.cpu.shares: the minimum allowed cpu-shares is ${got}`);
    }
  }
  const quota = c.quota ?? 0;
  let pendingPeriod = '';
  if (c.period) {
    try {
      writeRaw(dir, 'cpu.cfs_period_us', String(c.period));
    } catch (err) {
      // A smaller period can make old_quota/new_period exceed the parent's
      // bandwidth (EINVAL). If a quota is coming too, retry after it.
      if (errnoCode(err) !== 'EINVAL' || quota === 0) {
        throw sysError('linux.resources.cpu.period', 'write cpu.cfs_period_us', err);
      }
      pendingPeriod = String(c.period);
    }
  }
  if (quota !== 0) {
    writeFile(dir, 'cpu.cfs_quota_us', String(quota), 'linux.resources.cpu.quota');
    if (pendingPeriod) writeFile(dir, 'cpu.cfs_period_us', pendingPeriod, 'linux.resources.cpu.period');
  }
  // Burst must not exceed the quota, so it goes after it (runc 1.2+).
  if (c.burst !== undefined) writeFile(dir, 'cpu.cfs_burst_us', String(c.burst), 'linux.resources.cpu.burst');
  if (c.idle !== undefined) writeFile(dir, 'cpu.idle', String(c.idle), 'linux.resources.cpu.idle');
  setRtV1(dir, c);
}

export function setCpusetV1(dir: string, c: LinuxCPU): void {
  if (c.cpus) writeFile(dir, 'cpuset.cpus', c.cpus, 'linux.resources.cpu.cpus');
  if (c.mems) writeFile(dir, 'cpuset.mems', c.mems, 'linux.resources.cpu.mems');
}

export function setBlkioV1(dir: string, b: LinuxBlockIO): void {
  const f = 'linux.resources.blockIO';
  // CFQ provides blkio.weight; with BFQ (CFQ's successor) it's blkio.bfq.weight.
  const bfq = !has(dir, 'blkio.weight');
  const weightFile = bfq ? 'blkio.bfq.weight' : 'blkio.weight';
  const weightDeviceFile = bfq ? 'blkio.bfq.weight_device' : 'blkio.weight_device';
  if (b.weight) writeFile(dir, weightFile, String(b.weight), `${f}.weight`);
  if (b.leafWeight) writeFile(dir, 'blkio.leaf_weight', String(b.leafWeight), `${f}.leafWeight`);
  b.weightDevice?.forEach((d, i) => {
    if (d.weight) writeFile(dir, weightDeviceFile, deviceValue(d.major, d.minor, d.weight), `${f}.weightDevice[${i}].weight`);
    if (d.leafWeight) {
      writeFile(dir, 'blkio.leaf_weight_device', deviceValue(d.major, d.minor, d.leafWeight), `${f}.weightDevice[${i}].leafWeight`);
    }
  });
  const throttles = [
    ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
    ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
    ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
    ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
  ] as const;
  for (const [key, file] of throttles) {
    b[key]?.forEach((d, i) => writeFile(dir, file, deviceValue(d.major, d.minor, d.rate), `${f}.${key}[${i}]`));
  }
}

/** All of `r` onto the v1 hierarchies in `paths` (validated beforehand). */
export function setV1(paths: Paths, r: LinuxResources): void {
  const cpu = r.cpu;
  if (cpu && (cpu.cpus || cpu.mems)) setCpusetV1(dirOf(paths, 'cpuset', 'linux.resources.cpu.cpus'), cpu);
  if (r.devices !== undefined) setDevicesV1(dirOf(paths, 'devices', 'linux.resources.devices'), r.devices);
  if (r.memory) {
    const m = r.memory;
    const any = m.limit || m.swap || m.reservation || m.disableOOMKiller || (m.swappiness !== undefined && m.swappiness !== -1);
    if (any) setMemoryV1(dirOf(paths, 'memory', 'linux.resources.memory'), m);
  }
  if (cpu) {
    const any = cpu.shares || cpu.quota || cpu.period || cpu.realtimePeriod || cpu.realtimeRuntime;
    if (any || cpu.burst !== undefined || cpu.idle !== undefined) setCpuV1(dirOf(paths, 'cpu', 'linux.resources.cpu'), cpu);
  }
  if (r.pids?.limit) {
    writeFile(dirOf(paths, 'pids', 'linux.resources.pids.limit'), 'pids.max', pidsMaxValue(r.pids.limit), 'linux.resources.pids.limit');
  }
  const b = r.blockIO;
  if (b) {
    const any = b.weight || b.leafWeight || [b.weightDevice, b.throttleReadBpsDevice, b.throttleWriteBpsDevice,
      b.throttleReadIOPSDevice, b.throttleWriteIOPSDevice].some((l) => l && l.length > 0);
    if (any) setBlkioV1(dirOf(paths, 'blkio', 'linux.resources.blockIO'), b);
  }
  r.hugepageLimits?.forEach((h, i) => {
    const field = `linux.resources.hugepageLimits[${i}]`;
    writeFile(dirOf(paths, 'hugetlb', field), `hugetlb.${h.pageSize}.limit_in_bytes`, String(h.limit), field);
  });
  const net = networkSettings(r);
  if (net?.classID) {
    const field = 'linux.resources.network.classID';
    writeFile(dirOf(paths, 'net_cls', field), 'net_cls.classid', String(net.classID), field);
  }
  net?.priorities.forEach((p, i) => {
    const field = `linux.resources.network.priorities[${i}]`;
    writeFile(dirOf(paths, 'net_prio', field), 'net_prio.ifpriomap', `${p.name} ${p.priority}`, field);
  });
  for (const [dev, l] of rdmaLimits(r)) setRdma(paths['rdma'], dev, l);
}

/** rdma.max takes "<device> hca_handle=<n> hca_object=<n>" (v1 and v2 alike). */
export function setRdma(dir: string | undefined, dev: string, l: { hcaHandles?: number; hcaObjects?: number }): void {
  const field = `linux.resources.rdma[${JSON.stringify(dev)}]`;
  if (dir === undefined) throw failedPrecondition(`${field}: cannot set rdma limit: the rdma cgroup controller is not available`);
  const parts = [dev];
  if (l.hcaHandles !== undefined) parts.push(`hca_handle=${l.hcaHandles}`);
  if (l.hcaObjects !== undefined) parts.push(`hca_object=${l.hcaObjects}`);
  if (parts.length > 1) writeFile(dir, 'rdma.max', parts.join(' '), field);
}
