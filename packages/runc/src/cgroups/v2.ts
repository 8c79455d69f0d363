/**
 * cgroup v2 (unified hierarchy): creating a cgroup with its controllers
 * enabled, and writing LinuxResources to it in runc 1.1's order (pids,
 * memory, io, cpu, cpuset, hugetlb, rdma, then the verbatim `unified` map).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { failedPrecondition } from '@berth/errors';
import type { LinuxResources } from '../spec/types.js';
import {
  blkioWeightToIoWeight, cpuMaxValue, cpuSharesToWeight, deviceValue, memorySwapToV2, pidsMaxValue, v2Num,
} from './convert.js';
import { errnoCode, readOptional, sysError, writeFile, writeRaw } from './fsutil.js';
import { setRdma } from './v1.js';
import { rdmaLimits } from './validate.js';
import { rulesFromSpec } from './devices.js';
import { deviceFilterProgram } from './device-bpf.js';
import { nativeCore } from '../native/core.js';

/** Controllers that only work in "domain" (not threaded) cgroups. */
function needsDomainControllers(r: LinuxResources | undefined): boolean {
  if (!r) return false;
  const m = r.memory;
  const c = r.cpu;
  const b = r.blockIO;
  return Boolean(
    m?.limit || m?.swap || m?.reservation || c?.shares || c?.quota || c?.period || b?.weight ||
      b?.weightDevice?.length || b?.throttleReadBpsDevice?.length || b?.throttleWriteBpsDevice?.length ||
      b?.throttleReadIOPSDevice?.length || b?.throttleWriteIOPSDevice?.length || r.hugepageLimits?.length,
  );
}

/**
 * Enable every controller a level offers for its children. Writing them all
 * in one go is atomic; if that fails (a controller busy, or the
 * no-internal-processes rule for a populated non-root cgroup), enable them one
 * by one and ignore failures, as runc does: a limit that then cannot be set
 * is reported by set() with the field name.
 */
function enableControllers(dir: string): void {
  const ctrls = (readOptional(dir, 'cgroup.controllers') ?? '').split(/\s+/).filter(Boolean);
  if (ctrls.length === 0) return;
  try {
    writeRaw(dir, 'cgroup.subtree_control', ctrls.map((c) => `+${c}`).join(' '));
  } catch {
    for (const c of ctrls) {
      try {
        writeRaw(dir, 'cgroup.subtree_control', `+${c}`);
      } catch {
        // not available here; see above
      }
    }
  }
}

/** mkdir -p `dir` below `mountPoint`, enabling controllers on the way down. */
export function createV2(mountPoint: string, dir: string, r?: LinuxResources): void {
  const rel = path.posix.relative(mountPoint, dir);
  if (rel.startsWith('..') || path.posix.isAbsolute(rel)) {
    throw failedPrecondition(`cgroup: ${dir} is not below the cgroup2 mount ${mountPoint}`);
  }
  const parts = rel === '' ? [] : rel.split('/');
  const created: string[] = [];
  let current = mountPoint;
  try {
    for (let i = 0; i <= parts.length; i++) {
      if (i > 0) {
        current = path.posix.join(current, parts[i - 1]!);
        try {
          fs.mkdirSync(current, { mode: 0o755 });
          created.push(current);
        } catch (err) {
          if (errnoCode(err) !== 'EEXIST') throw sysError('linux.cgroupsPath', `mkdir ${current}`, err);
        }
        const type = (readOptional(current, 'cgroup.type') ?? '').trim();
        if (type === 'domain invalid') {
          // A child of a threaded subtree: only usable as threaded itself.
          if (needsDomainControllers(r)) {
            throw failedPrecondition(`linux.cgroupsPath: cannot enter cgroup v2 ${current} with domain controllers: it is in an invalid state`);
          }
          try {
            writeRaw(current, 'cgroup.type', 'threaded');
          } catch {
            // best effort, as runc
          }
        } else if ((type === 'threaded' || type === 'domain threaded') && needsDomainControllers(r)) {
          throw failedPrecondition(`linux.cgroupsPath: cannot enter cgroup v2 ${current} with domain controllers: it is in ${type} mode`);
        }
      }
      // Controllers are enabled in the parent's subtree_control; the leaf
      // keeps its own empty so processes may live in it.
      if (i < parts.length) enableControllers(current);
    }
  } catch (err) {
    for (const d of created.reverse()) {
      try {
        fs.rmdirSync(d);
      } catch {
        // leave it; destroy() will retry
      }
    }
    throw err;
  }
}

function setMemoryV2(dir: string, r: LinuxResources): void {
  const m = r.memory;
  if (!m || !(m.limit || m.swap || m.reservation)) return;
  const limit = m.limit ?? 0;
  const swap = memorySwapToV2(m.swap ?? 0, limit);
  let swapStr = v2Num(swap);
  // memory == memory+swap: no swap at all.
  if (swapStr === '' && swap === 0 && (m.swap ?? 0) > 0) swapStr = '0';
  if (swapStr !== '') {
    try {
      writeRaw(dir, 'memory.swap.max', swapStr);
    } catch (err) {
      // Without swap accounting there is no memory.swap.max; "max" or "0"
      // then already hold (later runc 1.1.x behaviour). Other values fail.
      if (!(errnoCode(err) === 'ENOENT' && (swapStr === 'max' || swapStr === '0'))) {
        throw sysError('linux.resources.memory.swap', 'write memory.swap.max', err);
      }
    }
  }
  const max = v2Num(limit);
  if (max) writeFile(dir, 'memory.max', max, 'linux.resources.memory.limit');
  const low = v2Num(m.reservation ?? 0);
  if (low) writeFile(dir, 'memory.low', low, 'linux.resources.memory.reservation');
}

function setIoV2(dir: string, r: LinuxResources): void {
  const b = r.blockIO;
  if (!b) return;
  const f = 'linux.resources.blockIO';
  if (b.weight || b.weightDevice?.length) {
    // With the BFQ scheduler, io.bfq.weight takes the v1 range (1..1000)
    // as is; io.weight (1..10000) needs runc's conversion.
    const bfq = readOptional(dir, 'io.bfq.weight');
    if (b.weight) {
      if (bfq !== undefined) writeFile(dir, 'io.bfq.weight', String(b.weight), `${f}.weight`);
      else writeFile(dir, 'io.weight', String(blkioWeightToIoWeight(b.weight)), `${f}.weight`);
    }
    // Per-device weights need a kernel whose io.bfq.weight reads "default N".
    if (bfq !== undefined && !/^\s*\d+\s*$/.test(bfq)) {
      b.weightDevice?.forEach((d, i) => {
        if (d.weight) writeFile(dir, 'io.bfq.weight', deviceValue(d.major, d.minor, d.weight), `${f}.weightDevice[${i}].weight`);
      });
    }
  }
  const throttles = [
    ['throttleReadBpsDevice', 'rbps'],
    ['throttleWriteBpsDevice', 'wbps'],
    ['throttleReadIOPSDevice', 'riops'],
    ['throttleWriteIOPSDevice', 'wiops'],
  ] as const;
  for (const [key, name] of throttles) {
    b[key]?.forEach((d, i) => writeFile(dir, 'io.max', deviceValue(d.major, d.minor, `${name}=${d.rate}`), `${f}.${key}[${i}]`));
  }
}

function setCpuV2(dir: string, r: LinuxResources): void {
  const c = r.cpu;
  if (!c) return;
  if (c.shares) writeFile(dir, 'cpu.weight', String(cpuSharesToWeight(c.shares)), 'linux.resources.cpu.shares');
  if (c.quota || c.period) {
    const field = c.quota ? 'linux.resources.cpu.quota' : 'linux.resources.cpu.period';
    writeFile(dir, 'cpu.max', cpuMaxValue(c.quota ?? 0, c.period ?? 0), field);
  }
  if (c.burst !== undefined) writeFile(dir, 'cpu.max.burst', String(c.burst), 'linux.resources.cpu.burst');
  if (c.idle !== undefined) writeFile(dir, 'cpu.idle', String(c.idle), 'linux.resources.cpu.idle');
  if (c.cpus) writeFile(dir, 'cpuset.cpus', c.cpus, 'linux.resources.cpu.cpus');
  if (c.mems) writeFile(dir, 'cpuset.mems', c.mems, 'linux.resources.cpu.mems');
}

function setUnified(dir: string, unified: Record<string, string>): void {
  for (const [k, v] of Object.entries(unified)) {
    const field = `linux.resources.unified[${JSON.stringify(k)}]`;
    try {
      writeRaw(dir, k, v);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'EPERM' || code === 'EACCES') {
        // Say which controller is missing rather than just ENOENT.
        const ctrl = k.split('.', 1)[0]!;
        const avail = (readOptional(dir, 'cgroup.controllers') ?? '').split(/\s+/);
        if (!k.includes('.')) throw sysError(field, `unified resource must be in the form CONTROLLER.PARAMETER: write ${k}`, err);
        if (ctrl !== 'cgroup' && !avail.includes(ctrl)) {
          throw sysError(field, `controller "${ctrl}" not available: write ${k}`, err);
        }
      }
      throw sysError(field, `write ${k}`, err);
    }
  }
}

/** All of `r` onto the v2 cgroup `dir` (validated beforehand). */
export function setV2(dir: string, r: LinuxResources): void {
  if (r.pids?.limit) writeFile(dir, 'pids.max', pidsMaxValue(r.pids.limit), 'linux.resources.pids.limit');
  setMemoryV2(dir, r);
  setIoV2(dir, r);
  setCpuV2(dir, r);
  r.hugepageLimits?.forEach((h, i) => {
    writeFile(dir, `hugetlb.${h.pageSize}.max`, String(h.limit), `linux.resources.hugepageLimits[${i}]`);
  });
  for (const [dev, l] of rdmaLimits(r)) setRdma(dir, dev, l);
  if (r.unified) setUnified(dir, r.unified);
  if (r.devices !== undefined) setDevicesV2(dir, r.devices);
}

/** cgroup2 has no devices files: the rules become an eBPF program on the cgroup. */
function setDevicesV2(dir: string, devices: NonNullable<LinuxResources['devices']>): void {
  try {
    nativeCore().attachDeviceFilter(dir, deviceFilterProgram(rulesFromSpec(devices)));
  } catch (err) {
    throw failedPrecondition(`linux.resources.devices: ${(err as Error).message}`, err);
  }
}
