/**
 * HostConfig's limits as OCI linux.resources and process rlimits: memory (swap
 * twice the memory by default, as docker, when the kernel accounts swap),
 * NanoCpus as a CFS quota over a 100 ms period, shares, cpusets, pids, blkio
 * weight; ulimits by docker's names (nofile -> RLIMIT_NOFILE).
 */
import fs from 'node:fs';
import { invalidArgument } from '@berth/errors';
import type { HostConfig } from '../model.js';
import { defaultDeviceRules } from './defaults.js';
import type { LinuxDeviceCgroup, LinuxResources, Rlimit } from './oci.js';

let swapAccounting: boolean | undefined;

/** Whether memory.memsw.* exists (cgroup v1 swap accounting); docker warns and ignores swap limits otherwise. */
export function swapSupported(): boolean {
  swapAccounting ??= fs.existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') || fs.existsSync('/sys/fs/cgroup/memory.swap.max');
  return swapAccounting;
}

export const cfsPeriod = 100_000;

export function checkResources(hc: HostConfig): string[] {
  const warnings: string[] = [];
  if (hc.Memory > 0 && hc.Memory < 6 * 1024 * 1024) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (hc.MemorySwap > 0 && hc.Memory > 0 && hc.MemorySwap < hc.Memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (hc.NanoCpus > 0 && (hc.CpuPeriod > 0 || hc.CpuQuota > 0)) throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (hc.NanoCpus < 0) throw invalidArgument('Invalid value: NanoCpus must be positive');
  if (hc.CpuShares < 0) throw invalidArgument('invalid CPU shares');
  if (hc.Memory > 0 && !swapSupported()) warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
  return warnings;
}

export function linuxResources(hc: HostConfig, deviceRules: LinuxDeviceCgroup[] = defaultDeviceRules()): LinuxResources {
  const r: LinuxResources = { devices: deviceRules };
  if (hc.Memory > 0 || hc.MemoryReservation > 0 || hc.OomKillDisable) {
    r.memory = {};
    if (hc.Memory > 0) r.memory.limit = hc.Memory;
    if (hc.MemoryReservation > 0) r.memory.reservation = hc.MemoryReservation;
    if (hc.Memory > 0 && swapSupported()) r.memory.swap = hc.MemorySwap === 0 ? hc.Memory * 2 : hc.MemorySwap;
    if (hc.OomKillDisable) r.memory.disableOOMKiller = true;
  }
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (hc.CpuShares > 0) cpu.shares = hc.CpuShares;
  if (hc.NanoCpus > 0) {
    cpu.period = cfsPeriod;
    cpu.quota = Math.round((hc.NanoCpus * cfsPeriod) / 1e9);
  }
  if (hc.CpuPeriod > 0) cpu.period = hc.CpuPeriod;
  if (hc.CpuQuota > 0) cpu.quota = hc.CpuQuota;
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  if (hc.PidsLimit !== null && hc.PidsLimit > 0) r.pids = { limit: hc.PidsLimit };
  if (hc.BlkioWeight > 0) r.blockIO = { weight: hc.BlkioWeight };
  return r;
}

const rlimitNames = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack', 'as']);

export function rlimits(hc: HostConfig): Rlimit[] {
  return (hc.Ulimits ?? []).map((u) => {
    if (!rlimitNames.has(u.Name)) throw invalidArgument(`invalid ulimit type: ${u.Name}`);
    if (u.Soft > u.Hard) throw invalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    return { type: `RLIMIT_${u.Name.toUpperCase()}`, hard: u.Hard, soft: u.Soft };
  });
}
