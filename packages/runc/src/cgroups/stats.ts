/**
 * Reading cgroup statistics the way runc 1.1 does. Missing files mean the
 * controller is absent (or the cgroup is gone) and leave zeros, as in runc.
 */
import * as fs from 'node:fs';
import { hugePageSizeName, parseCpusetList } from './convert.js';
import { U64_MAX, parseKeyValues, readOptional, readUint } from './fsutil.js';
import type { BlkioKey, RawEntry, RawStats } from './stats-types.js';
import { emptyRawStats } from './stats-types.js';

/** USER_HZ, the unit of cpuacct.stat; runc hard-codes 100 too. */
const CLOCK_TICKS = 100;

let hugePageSizes: string[] | undefined;
/** Page sizes the kernel supports, as hugetlb file names spell them. */
export function hugePageSizesOnHost(): string[] {
  if (!hugePageSizes) {
    let names: string[] = [];
    try {
      names = fs.readdirSync('/sys/kernel/mm/hugepages');
    } catch {
      // no hugetlbfs support
    }
    hugePageSizes = names.map(hugePageSizeName).filter((n): n is string => n !== undefined);
  }
  return hugePageSizes;
}

const numbers = (text: string | undefined): number[] =>
  (text ?? '').split(/\s+/).filter(Boolean).map(Number);

function cpusetV1(dir: string, s: RawStats): void {
  s.cpuset.cpus = parseCpusetList(readOptional(dir, 'cpuset.cpus') ?? '') ?? [];
  s.cpuset.mems = parseCpusetList(readOptional(dir, 'cpuset.mems') ?? '') ?? [];
  const u = (f: string): number => readUint(dir, `cpuset.${f}`) ?? 0;
  Object.assign(s.cpuset, {
    cpu_exclusive: u('cpu_exclusive'), mem_hardwall: u('mem_hardwall'), mem_exclusive: u('mem_exclusive'),
    memory_migrate: u('memory_migrate'), memory_spread_page: u('memory_spread_page'),
    memory_spread_slab: u('memory_spread_slab'), memory_pressure: u('memory_pressure'),
    sched_load_balance: u('sched_load_balance'),
  });
  // Signed: -1 means "system default".
  const relax = Number.parseInt(readOptional(dir, 'cpuset.sched_relax_domain_level') ?? '0', 10);
  s.cpuset.sched_relax_domain_level = Number.isNaN(relax) ? 0 : relax;
}

function memEntryV1(dir: string, prefix: string): RawEntry {
  const u = (f: string): number => readUint(dir, `${prefix}.${f}`) ?? 0;
  return { usage: u('usage_in_bytes'), max: u('max_usage_in_bytes'), failcnt: u('failcnt'), limit: u('limit_in_bytes') };
}

function memoryV1(dir: string, s: RawStats): void {
  const stat = readOptional(dir, 'memory.stat');
  if (stat === undefined) return;
  s.memory.raw = parseKeyValues(stat);
  s.memory.cache = s.memory.raw.get('cache') ?? 0;
  s.memory.usage = memEntryV1(dir, 'memory');
  // memsw (swap accounting) and kmem files may not exist: zeros then.
  s.memory.swap = memEntryV1(dir, 'memory.memsw');
  s.memory.kernel = memEntryV1(dir, 'memory.kmem');
  s.memory.kernelTCP = memEntryV1(dir, 'memory.kmem.tcp');
}

function cpuV1(dir: string, s: RawStats): void {
  const kv = parseKeyValues(readOptional(dir, 'cpu.stat') ?? '');
  s.cpu.periods = kv.get('nr_periods') ?? 0;
  s.cpu.throttledPeriods = kv.get('nr_throttled') ?? 0;
  s.cpu.throttledTime = kv.get('throttled_time') ?? 0;
}

function cpuacctV1(dir: string, s: RawStats): void {
  const stat = parseKeyValues(readOptional(dir, 'cpuacct.stat') ?? '');
  // cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds.
  s.cpu.user = Math.floor(((stat.get('user') ?? 0) * 1e9) / CLOCK_TICKS);
  s.cpu.kernel = Math.floor(((stat.get('system') ?? 0) * 1e9) / CLOCK_TICKS);
  s.cpu.total = readUint(dir, 'cpuacct.usage') ?? 0;
  s.cpu.percpu = numbers(readOptional(dir, 'cpuacct.usage_percpu'));
  // usage_all: header "cpu user system", then one row per cpu.
  const rows = (readOptional(dir, 'cpuacct.usage_all') ?? '').split('\n').slice(1);
  for (const row of rows) {
    const f = row.split(' ');
    if (f.length !== 3) continue;
    s.cpu.percpuUser.push(Number(f[1]));
    s.cpu.percpuKernel.push(Number(f[2]));
  }
}

function pidsV1(dir: string, s: RawStats): void {
  s.pids.current = readUint(dir, 'pids.current') ?? 0;
  const max = readUint(dir, 'pids.max') ?? 0;
  s.pids.limit = max === U64_MAX ? 0 : max; // "max": runc reports no limit as 0
}

/** "8:0 Read 123" / "8:0 123" lines; the "Total N" line is skipped. */
function blkioEntries(text: string | undefined): RawStats['blkio'][BlkioKey] | undefined {
  if (text === undefined) return undefined;
  const out: RawStats['blkio'][BlkioKey] = [];
  for (const line of text.split('\n')) {
    const f = line.split(/[ :]/).filter(Boolean);
    if (f.length < 3) continue;
    const [op, value] = f.length === 4 ? [f[2]!, f[3]!] : ['', f[2]!];
    out.push({ major: Number(f[0]), minor: Number(f[1]), op, value: Number(value) });
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Which blkio files carry data depends on the I/O scheduler and kernel
 * config: BFQ debug stats, BFQ, CFQ, then the throttle layer's. runc takes
 * the first group whose first file has entries.
 */
const BLKIO_GROUPS: [string, BlkioKey][][] = [
  [['blkio.bfq.sectors_recursive', 'sectorsRecursive'], ['blkio.bfq.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.bfq.io_wait_time_recursive', 'ioWaitTimeRecursive'], ['blkio.bfq.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.bfq.io_queued_recursive', 'ioQueueRecursive'], ['blkio.bfq.time_recursive', 'ioTimeRecursive'],
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.sectors_recursive', 'sectorsRecursive'], ['blkio.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.io_wait_time_recursive', 'ioWaitTimeRecursive'], ['blkio.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.io_queued_recursive', 'ioQueueRecursive'], ['blkio.time_recursive', 'ioTimeRecursive'],
    ['blkio.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.throttle.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.throttle.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.throttle.io_serviced', 'ioServicedRecursive'], ['blkio.throttle.io_service_bytes', 'ioServiceBytesRecursive']],
];

function blkioV1(dir: string, s: RawStats): void {
  for (const group of BLKIO_GROUPS) {
    const first = blkioEntries(readOptional(dir, group[0]![0]));
    if (!first) continue;
    s.blkio[group[0]![1]] = first;
    for (const [file, key] of group.slice(1)) {
      const e = blkioEntries(readOptional(dir, file));
      if (!e) return; // runc stops at a gap in the group
      s.blkio[key] = e;
    }
    return;
  }
}

function hugetlbV1(dir: string, s: RawStats): void {
  for (const size of hugePageSizesOnHost()) {
    const u = (f: string): number | undefined => readUint(dir, `hugetlb.${size}.${f}`);
    const usage = u('usage_in_bytes');
    if (usage === undefined) continue;
    s.hugetlb.set(size, { usage, max: u('max_usage_in_bytes') ?? 0, failcnt: u('failcnt') ?? 0 });
  }
}

/** Stats of a v1 container from its subsystem -> dir map. */
export function statsV1(paths: Record<string, string>): RawStats {
  const s = emptyRawStats();
  const at = (sub: string, fn: (dir: string, s: RawStats) => void): void => {
    const dir = paths[sub];
    if (dir !== undefined && fs.existsSync(dir)) fn(dir, s);
  };
  at('cpuset', cpusetV1);
  at('memory', memoryV1);
  at('cpu', cpuV1);
  at('cpuacct', cpuacctV1);
  at('pids', pidsV1);
  at('blkio', blkioV1);
  at('hugetlb', hugetlbV1);
  return s;
}

/** Stats of a v2 cgroup. */
export function statsV2(dir: string): RawStats {
  const s = emptyRawStats();
  if (!fs.existsSync(dir)) return s;
  const current = readUint(dir, 'pids.current');
  if (current !== undefined) {
    pidsV1(dir, s); // same files and rules as v1
  } else {
    // No pids controller: count the cgroup's own processes.
    s.pids.current = (readOptional(dir, 'cgroup.procs') ?? '').split('\n').filter(Boolean).length;
  }
  const stat = readOptional(dir, 'memory.stat');
  if (stat !== undefined) {
    s.memory.raw = parseKeyValues(stat);
    s.memory.cache = s.memory.raw.get('file') ?? 0;
    const entry = (p: string): RawEntry => ({ usage: readUint(dir, `${p}.current`) ?? 0, limit: readUint(dir, `${p}.max`) ?? 0, max: 0, failcnt: 0 });
    s.memory.usage = entry('memory');
    // v1 reports memory+swap; v2 counts swap alone. Report the v1 sum.
    const swap = entry('memory.swap');
    swap.usage += s.memory.usage.usage;
    if (swap.limit !== U64_MAX) swap.limit = Math.min(U64_MAX, swap.limit + s.memory.usage.limit);
    s.memory.swap = swap;
  }
  for (const line of (readOptional(dir, 'io.stat') ?? '').split('\n')) {
    const [dev, ...items] = line.split(' ').filter(Boolean);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    for (const item of items) {
      const [k, v] = item.split('=');
      const map: Record<string, [BlkioKey, string]> = {
        rbytes: ['ioServiceBytesRecursive', 'Read'], wbytes: ['ioServiceBytesRecursive', 'Write'],
        rios: ['ioServicedRecursive', 'Read'], wios: ['ioServicedRecursive', 'Write'],
      };
      const target = map[k ?? ''];
      if (target) s.blkio[target[0]].push({ major: Number(m[1]), minor: Number(m[2]), op: target[1], value: Number(v) });
    }
  }
  const cpu = parseKeyValues(readOptional(dir, 'cpu.stat') ?? '');
  s.cpu.total = (cpu.get('usage_usec') ?? 0) * 1000;
  s.cpu.user = (cpu.get('user_usec') ?? 0) * 1000;
  s.cpu.kernel = (cpu.get('system_usec') ?? 0) * 1000;
  s.cpu.periods = cpu.get('nr_periods') ?? 0;
  s.cpu.throttledPeriods = cpu.get('nr_throttled') ?? 0;
  s.cpu.throttledTime = (cpu.get('throttled_usec') ?? 0) * 1000;
  for (const size of hugePageSizesOnHost()) {
    const usage = readUint(dir, `hugetlb.${size}.current`);
    if (usage === undefined) continue;
    const events = parseKeyValues(readOptional(dir, `hugetlb.${size}.events`) ?? '');
    s.hugetlb.set(size, { usage, max: 0, failcnt: events.get('max') ?? 0 });
  }
  return s;
}
