/** pause, resume, update. */
import fs from 'node:fs';
import { Command } from 'commander';
import { invalidArgument } from '@berth/errors';
import type { LinuxResources } from '../../spec/types.js';
import { pauseContainer, resumeContainer } from '../../container/pause.js';
import { updateContainer } from '../../container/update.js';
import { contextFor, requireArgs } from '../context.js';

/** Sizes as docker's units.RAMInBytes reads them: "512m", "1g", "1024" (binary units). */
export function parseBytes(s: string, flag: string): number {
  const m = /^(-?\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(s.trim());
  if (!m) throw invalidArgument(`${flag}: invalid size: ${JSON.stringify(s)}`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.trunc(Number(m[1]) * (mult[(m[2] ?? '').toLowerCase()] as number));
}

function int(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n)) throw invalidArgument(`${flag}: invalid value ${JSON.stringify(s)}`);
  return n;
}

interface UpdateFlags {
  resources?: string;
  blkioWeight?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpuRtPeriod?: string;
  cpuRtRuntime?: string;
  cpuShare?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  kernelMemory?: string;
  kernelMemoryTcp?: string;
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  pidsLimit?: string;
}

export function updateResources(o: UpdateFlags): LinuxResources {
  if (o.resources) {
    const text = fs.readFileSync(o.resources === '-' ? 0 : o.resources, 'utf8');
    try {
      return JSON.parse(text) as LinuxResources;
    } catch (err) {
      throw invalidArgument(`--resources: invalid JSON: ${(err as Error).message}`);
    }
  }
  const r: LinuxResources = {};
  const mem: NonNullable<LinuxResources['memory']> = {};
  if (o.memory) mem.limit = parseBytes(o.memory, '--memory');
  if (o.memoryReservation) mem.reservation = parseBytes(o.memoryReservation, '--memory-reservation');
  if (o.memorySwap) mem.swap = o.memorySwap === '-1' ? -1 : parseBytes(o.memorySwap, '--memory-swap');
  if (o.kernelMemory) mem.kernel = parseBytes(o.kernelMemory, '--kernel-memory');
  if (o.kernelMemoryTcp) mem.kernelTCP = parseBytes(o.kernelMemoryTcp, '--kernel-memory-tcp');
  if (Object.keys(mem).length) r.memory = mem;
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (o.cpuShare) cpu.shares = int(o.cpuShare, '--cpu-share');
  if (o.cpuQuota) cpu.quota = int(o.cpuQuota, '--cpu-quota');
  if (o.cpuPeriod) cpu.period = int(o.cpuPeriod, '--cpu-period');
  if (o.cpuRtPeriod) cpu.realtimePeriod = int(o.cpuRtPeriod, '--cpu-rt-period');
  if (o.cpuRtRuntime) cpu.realtimeRuntime = int(o.cpuRtRuntime, '--cpu-rt-runtime');
  if (o.cpusetCpus) cpu.cpus = o.cpusetCpus;
  if (o.cpusetMems) cpu.mems = o.cpusetMems;
  if (Object.keys(cpu).length) r.cpu = cpu;
  if (o.pidsLimit) r.pids = { limit: int(o.pidsLimit, '--pids-limit') };
  if (o.blkioWeight) r.blockIO = { weight: int(o.blkioWeight, '--blkio-weight') };
  return r;
}

export function manageCommands(program: Command): void {
  program
    .command('pause')
    .description('pause suspends all processes inside the container')
    .argument('[id...]')
    .action(function (this: Command, ids: string[]) {
      requireArgs('pause', ids, 1);
      pauseContainer(contextFor(this).ctx, ids[0] as string);
    });
  program
    .command('resume')
    .description('resumes all processes that have been previously paused')
    .argument('[id...]')
    .action(function (this: Command, ids: string[]) {
      requireArgs('resume', ids, 1);
      resumeContainer(contextFor(this).ctx, ids[0] as string);
    });
  program
    .command('update')
    .description('update container resource constraints')
    .option('-r, --resources <file>', 'path to the file containing the resources to update or \'-\' to read from the standard input')
    .option('--blkio-weight <n>', 'Specifies per cgroup weight, range is from 10 to 1000')
    .option('--cpu-period <n>', 'CPU CFS period to be used for hardcapping (in usecs). 0 to use system default')
    .option('--cpu-quota <n>', 'CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period')
    .option('--cpu-rt-period <n>', 'CPU realtime period to be used for hardcapping (in usecs). 0 to use system default')
    .option('--cpu-rt-runtime <n>', 'CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period')
    .option('--cpu-share <n>', 'CPU shares (relative weight vs. other containers)')
    .option('--cpuset-cpus <list>', 'CPU(s) to use')
    .option('--cpuset-mems <list>', 'Memory node(s) to use')
    .option('--kernel-memory <size>', 'Kernel memory limit (in bytes)')
    .option('--kernel-memory-tcp <size>', 'Kernel memory limit (in bytes) for tcp buffer')
    .option('--memory <size>', 'Memory limit (in bytes)')
    .option('--memory-reservation <size>', 'Memory reservation or soft_limit (in bytes)')
    .option('--memory-swap <size>', 'Total memory usage (memory + swap); set \'-1\' to enable unlimited swap')
    .option('--pids-limit <n>', 'Maximum number of pids allowed in the container')
    .option('--l3-cache-schema <schema>', 'The string of Intel RDT/CAT L3 cache schema')
    .option('--mem-bw-schema <schema>', 'The string of Intel RDT/MBA memory bandwidth schema')
    .argument('[id...]')
    .action(function (this: Command, ids: string[]) {
      requireArgs('update', ids, 1);
      const o = this.opts<UpdateFlags & { l3CacheSchema?: string; memBwSchema?: string }>();
      if (o.l3CacheSchema || o.memBwSchema) throw invalidArgument('Intel RDT is not supported by berth-runc');
      updateContainer(contextFor(this).ctx, ids[0] as string, updateResources(o));
    });
}
