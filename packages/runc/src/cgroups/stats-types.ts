/**
 * The shape of runc 1.1's `runc events --stats` "data" object (runc's
 * types.Stats), key for key. Fields that Go marshals with `omitempty` are
 * optional here and absent when zero/empty, so JSON.stringify of a
 * CgroupStats prints the same keys runc does. Use statsToJSON to also print
 * the u64 values beyond 2^53 exactly (e.g. "no limit" 9223372036854771712).
 */

export interface CpuUsageStats {
  total?: number;
  percpu?: number[];
  percpu_kernel?: number[];
  percpu_user?: number[];
  kernel: number;
  user: number;
}

export interface ThrottlingStats {
  periods?: number;
  throttledPeriods?: number;
  throttledTime?: number;
}

export interface CpusetStats {
  cpus?: number[];
  cpu_exclusive: number;
  mems?: number[];
  mem_hardwall: number;
  mem_exclusive: number;
  memory_migrate: number;
  memory_spread_page: number;
  memory_spread_slab: number;
  memory_pressure: number;
  sched_load_balance: number;
  sched_relax_domain_level: number;
}

export interface MemoryEntry {
  limit: number;
  usage?: number;
  max?: number;
  failcnt: number;
}

export interface MemoryStats {
  cache?: number;
  usage: MemoryEntry;
  swap: MemoryEntry;
  kernel: MemoryEntry;
  kernelTCP: MemoryEntry;
  raw?: Record<string, number>;
}

export interface BlkioEntry {
  major?: number;
  minor?: number;
  op?: string;
  value?: number;
}

export const BLKIO_KEYS = [
  'ioServiceBytesRecursive', 'ioServicedRecursive', 'ioQueueRecursive', 'ioServiceTimeRecursive',
  'ioWaitTimeRecursive', 'ioMergedRecursive', 'ioTimeRecursive', 'sectorsRecursive',
] as const;
export type BlkioKey = (typeof BLKIO_KEYS)[number];
export type BlkioStats = Partial<Record<BlkioKey, BlkioEntry[]>>;

export interface HugetlbStats {
  usage?: number;
  max?: number;
  failcnt: number;
}

export interface CgroupStats {
  cpu: { usage: CpuUsageStats; throttling: ThrottlingStats };
  cpuset: CpusetStats;
  memory: MemoryStats;
  pids: { current?: number; limit?: number };
  blkio: BlkioStats;
  hugetlb: Record<string, HugetlbStats>;
  /** Not a cgroup: always {} here (Intel RDT is not supported). */
  intel_rdt: Record<string, never>;
  /** Not a cgroup: runc prints null unless it collects interface stats. */
  network_interfaces: null;
}

/** Values as read from the files, before runc's omitempty is applied. */
export interface RawEntry {
  limit: number;
  usage: number;
  max: number;
  failcnt: number;
}

export interface RawStats {
  cpu: {
    total: number; percpu: number[]; percpuKernel: number[]; percpuUser: number[]; kernel: number; user: number;
    periods: number; throttledPeriods: number; throttledTime: number;
  };
  cpuset: Omit<CpusetStats, 'cpus' | 'mems'> & { cpus: number[]; mems: number[] };
  memory: { cache: number; usage: RawEntry; swap: RawEntry; kernel: RawEntry; kernelTCP: RawEntry; raw: Map<string, number> };
  pids: { current: number; limit: number };
  blkio: Record<BlkioKey, Required<BlkioEntry>[]>;
  hugetlb: Map<string, { usage: number; max: number; failcnt: number }>;
}

const entry = (): RawEntry => ({ limit: 0, usage: 0, max: 0, failcnt: 0 });

export function emptyRawStats(): RawStats {
  const blkio = {} as Record<BlkioKey, Required<BlkioEntry>[]>;
  for (const k of BLKIO_KEYS) blkio[k] = [];
  return {
    cpu: { total: 0, percpu: [], percpuKernel: [], percpuUser: [], kernel: 0, user: 0, periods: 0, throttledPeriods: 0, throttledTime: 0 },
    cpuset: {
      cpus: [], cpu_exclusive: 0, mems: [], mem_hardwall: 0, mem_exclusive: 0, memory_migrate: 0,
      memory_spread_page: 0, memory_spread_slab: 0, memory_pressure: 0, sched_load_balance: 0, sched_relax_domain_level: 0,
    },
    memory: { cache: 0, usage: entry(), swap: entry(), kernel: entry(), kernelTCP: entry(), raw: new Map() },
    pids: { current: 0, limit: 0 },
    blkio,
    hugetlb: new Map(),
  };
}

/** `{ [key]: value }`, or `{}` when value is Go's zero value (omitempty). */
function opt<K extends string, V extends number | string | unknown[]>(key: K, value: V): { [P in K]?: V } {
  const empty = value === 0 || value === '' || (Array.isArray(value) && value.length === 0);
  return (empty ? {} : { [key]: value }) as { [P in K]?: V };
}

const memEntry = (e: RawEntry): MemoryEntry => ({
  limit: e.limit, ...opt('usage', e.usage), ...opt('max', e.max), failcnt: e.failcnt,
});

const byKey = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * runc's convertLibcontainerStats: apply omitempty, keep Go's field order
 * (struct declaration order) and its sorted map keys.
 */
export function toRuncStats(s: RawStats): CgroupStats {
  const c = s.cpu;
  const usage: CpuUsageStats = {
    ...opt('total', c.total), ...opt('percpu', c.percpu), ...opt('percpu_kernel', c.percpuKernel),
    ...opt('percpu_user', c.percpuUser), kernel: c.kernel, user: c.user,
  };
  const throttling: ThrottlingStats = {
    ...opt('periods', c.periods), ...opt('throttledPeriods', c.throttledPeriods), ...opt('throttledTime', c.throttledTime),
  };
  const cs = s.cpuset;
  const cpuset: CpusetStats = {
    ...opt('cpus', cs.cpus), cpu_exclusive: cs.cpu_exclusive, ...opt('mems', cs.mems),
    mem_hardwall: cs.mem_hardwall, mem_exclusive: cs.mem_exclusive, memory_migrate: cs.memory_migrate,
    memory_spread_page: cs.memory_spread_page, memory_spread_slab: cs.memory_spread_slab,
    memory_pressure: cs.memory_pressure, sched_load_balance: cs.sched_load_balance,
    sched_relax_domain_level: cs.sched_relax_domain_level,
  };
  const m = s.memory;
  const memory: MemoryStats = {
    ...opt('cache', m.cache), usage: memEntry(m.usage), swap: memEntry(m.swap),
    kernel: memEntry(m.kernel), kernelTCP: memEntry(m.kernelTCP),
    ...(m.raw.size > 0 ? { raw: Object.fromEntries([...m.raw].sort(byKey)) } : {}),
  };
  const blkio: BlkioStats = {};
  for (const k of BLKIO_KEYS) {
    const list = s.blkio[k].map((e) => ({ ...opt('major', e.major), ...opt('minor', e.minor), ...opt('op', e.op), ...opt('value', e.value) }));
    if (list.length > 0) blkio[k] = list;
  }
  const hugetlb: Record<string, HugetlbStats> = {};
  for (const [size, h] of [...s.hugetlb].sort(byKey)) {
    hugetlb[size] = { ...opt('usage', h.usage), ...opt('max', h.max), failcnt: h.failcnt };
  }
  return {
    cpu: { usage, throttling },
    cpuset,
    memory,
    pids: { ...opt('current', s.pids.current), ...opt('limit', s.pids.limit) },
    blkio,
    hugetlb,
    intel_rdt: {},
    network_interfaces: null,
  };
}

/** Largest u64, as Go prints it; stands for every double >= 2^64. */
const U64_MAX_TEXT = '18446744073709551615';
const U64_MARK = '@berth-u64:';

/**
 * JSON text of the stats (or of an event wrapping them), with integers above
 * 2^53 written exactly: doubles hold cgroup limits exactly, since they are
 * page multiples, but JSON.stringify would print 9223372036854771712 as
 * 9223372036854772000, and 2^64-1 ("max") as 18446744073709552000.
 */
export function statsToJSON(stats: CgroupStats | object, space?: number): string {
  // Emit big integers as marker strings, then unquote them: works on every
  // Node (JSON.rawJSON is only in recent V8s) and cannot hit real strings,
  // since only whole quoted values of this exact form are rewritten.
  const text = JSON.stringify(
    stats,
    (_key, value: unknown) => {
      if (typeof value !== 'number' || Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
      return `${U64_MARK}${value >= 2 ** 64 ? U64_MAX_TEXT : BigInt(value).toString()}`;
    },
    space,
  );
  return text.replace(new RegExp(`"${U64_MARK}(\\d+)"`, 'g'), '$1');
}

