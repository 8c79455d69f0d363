/**
 * Stats for cgroup v1: io.containerd.cgroups.v1.Metrics read from the
 * container's cgroup files, field by field as containerd/cgroups (v1) reads
 * them, so `ctr tasks metrics` shows the same figures as with runc's shim.
 * A controller that is not mounted or a file that is missing leaves its
 * fields unset (containerd's IgnoreNotExist).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { BlkIOEntrySchema, MetricsSchema } from '@berth/containerd/gen/containerd/cgroups/stats/v1/metrics_pb';

type MetricsInit = MessageInitShape<typeof MetricsSchema>;
type BlkioEntryInit = MessageInitShape<typeof BlkIOEntrySchema>;

/** USER_HZ: cpuacct.stat counts in clock ticks (100 on Linux, as containerd assumes). */
const CLOCK_TICKS = 100n;

function read(dir: string | undefined, file: string): string | undefined {
  if (dir === undefined) return undefined;
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

function num(text: string | undefined): bigint | undefined {
  const t = text?.trim();
  if (t === undefined || t === '') return undefined;
  if (t === 'max') return 0n;
  try {
    return BigInt(t);
  } catch {
    return undefined;
  }
}

/** "key value" lines (memory.stat, cpu.stat, memory.oom_control). */
function keyed(text: string | undefined): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text?.split('\n') ?? []) {
    const [k, v] = line.split(' ');
    if (k && v !== undefined) out.set(k, num(v) ?? 0n);
  }
  return out;
}

/** "major:minor" -> /dev/<name>, from /proc/partitions (as containerd names blkio devices). */
function blockDevices(): Map<string, string> {
  const out = new Map<string, string>();
  const text = read('/proc', 'partitions') ?? '';
  for (const line of text.split('\n').slice(2)) {
    const f = line.trim().split(/\s+/);
    if (f.length === 4) out.set(`${f[0]}:${f[1]}`, `/dev/${f[3]}`);
  }
  return out;
}

function blkioEntries(text: string | undefined, devices: Map<string, string>): BlkioEntryInit[] {
  const out: BlkioEntryInit[] = [];
  for (const line of text?.split('\n') ?? []) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || f[0] === 'Total') continue;
    const [major = '0', minor = '0'] = (f[0] as string).split(':');
    out.push({
      device: devices.get(f[0] as string) ?? '',
      major: BigInt(major),
      minor: BigInt(minor),
      op: f.length >= 3 ? (f[1] as string) : '',
      value: num(f[f.length - 1]) ?? 0n,
    });
  }
  return out;
}

function memoryEntry(dir: string | undefined, prefix: string) {
  return {
    usage: num(read(dir, `${prefix}.usage_in_bytes`)) ?? 0n,
    max: num(read(dir, `${prefix}.max_usage_in_bytes`)) ?? 0n,
    failcnt: num(read(dir, `${prefix}.failcnt`)) ?? 0n,
    limit: num(read(dir, `${prefix}.limit_in_bytes`)) ?? 0n,
  };
}

function memory(dir: string | undefined): MetricsInit['memory'] {
  const stat = read(dir, 'memory.stat');
  if (stat === undefined) return undefined;
  const raw = keyed(stat);
  const g = (k: string) => raw.get(k) ?? 0n;
  return {
    cache: g('cache'), rss: g('rss'), rssHuge: g('rss_huge'), mappedFile: g('mapped_file'), dirty: g('dirty'), writeback: g('writeback'),
    pgPgIn: g('pgpgin'), pgPgOut: g('pgpgout'), pgFault: g('pgfault'), pgMajFault: g('pgmajfault'),
    inactiveAnon: g('inactive_anon'), activeAnon: g('active_anon'), inactiveFile: g('inactive_file'), activeFile: g('active_file'),
    unevictable: g('unevictable'), hierarchicalMemoryLimit: g('hierarchical_memory_limit'), hierarchicalSwapLimit: g('hierarchical_memsw_limit'),
    totalCache: g('total_cache'), totalRss: g('total_rss'), totalRssHuge: g('total_rss_huge'), totalMappedFile: g('total_mapped_file'),
    totalDirty: g('total_dirty'), totalWriteback: g('total_writeback'), totalPgPgIn: g('total_pgpgin'), totalPgPgOut: g('total_pgpgout'),
    totalPgFault: g('total_pgfault'), totalPgMajFault: g('total_pgmajfault'), totalInactiveAnon: g('total_inactive_anon'),
    totalActiveAnon: g('total_active_anon'), totalInactiveFile: g('total_inactive_file'), totalActiveFile: g('total_active_file'),
    totalUnevictable: g('total_unevictable'),
    usage: memoryEntry(dir, 'memory'),
    swap: memoryEntry(dir, 'memory.memsw'),
    kernel: memoryEntry(dir, 'memory.kmem'),
    kernelTcp: memoryEntry(dir, 'memory.kmem.tcp'),
  };
}

function cpu(cpuacct: string | undefined, cpuDir: string | undefined): MetricsInit['cpu'] {
  const total = num(read(cpuacct, 'cpuacct.usage'));
  if (total === undefined) return undefined;
  const ticks = keyed(read(cpuacct, 'cpuacct.stat'));
  const throttle = keyed(read(cpuDir, 'cpu.stat'));
  return {
    usage: {
      total,
      user: ((ticks.get('user') ?? 0n) * 1_000_000_000n) / CLOCK_TICKS,
      kernel: ((ticks.get('system') ?? 0n) * 1_000_000_000n) / CLOCK_TICKS,
      perCpu: (read(cpuacct, 'cpuacct.usage_percpu') ?? '').trim().split(/\s+/).filter(Boolean).map((v) => BigInt(v)),
    },
    throttling: { periods: throttle.get('nr_periods') ?? 0n, throttledPeriods: throttle.get('nr_throttled') ?? 0n, throttledTime: throttle.get('throttled_time') ?? 0n },
  };
}

function hugetlb(dir: string | undefined): MetricsInit['hugetlb'] {
  if (dir === undefined) return [];
  let files: string[];
  try {
    files = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const sizes = files.map((f) => /^hugetlb\.([^.]+)\.usage_in_bytes$/.exec(f)?.[1]).filter((s): s is string => s !== undefined);
  return sizes.map((size) => ({
    pagesize: size,
    usage: num(read(dir, `hugetlb.${size}.usage_in_bytes`)) ?? 0n,
    max: num(read(dir, `hugetlb.${size}.max_usage_in_bytes`)) ?? 0n,
    failcnt: num(read(dir, `hugetlb.${size}.failcnt`)) ?? 0n,
  }));
}

const blkioFiles = [
  ['sectors_recursive', 'sectorsRecursive'],
  ['io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ['io_serviced_recursive', 'ioServicedRecursive'],
  ['io_queued_recursive', 'ioQueuedRecursive'],
  ['io_service_time_recursive', 'ioServiceTimeRecursive'],
  ['io_wait_time_recursive', 'ioWaitTimeRecursive'],
  ['io_merged_recursive', 'ioMergedRecursive'],
  ['time_recursive', 'ioTimeRecursive'],
] as const;

function blkio(dir: string | undefined): MetricsInit['blkio'] {
  if (dir === undefined) return undefined;
  const devices = blockDevices();
  const out: NonNullable<MetricsInit['blkio']> = {};
  let size = 0;
  for (const [file, field] of blkioFiles) {
    const entries = blkioEntries(read(dir, `blkio.${file}`), devices);
    out[field] = entries;
    size += entries.length;
  }
  // No CFQ statistics (other I/O schedulers): the throttle counters, as containerd falls back.
  if (size === 0) {
    out.ioServicedRecursive = blkioEntries(read(dir, 'blkio.throttle.io_serviced'), devices);
    out.ioServiceBytesRecursive = blkioEntries(read(dir, 'blkio.throttle.io_service_bytes'), devices);
  }
  return out;
}

export function metricsV1(v1: Record<string, string>): MetricsInit {
  const oom = keyed(read(v1.memory, 'memory.oom_control'));
  const pidsCurrent = num(read(v1.pids, 'pids.current'));
  return {
    hugetlb: hugetlb(v1.hugetlb),
    ...(pidsCurrent !== undefined ? { pids: { current: pidsCurrent, limit: num(read(v1.pids, 'pids.max')) ?? 0n } } : {}),
    cpu: cpu(v1.cpuacct, v1.cpu),
    memory: memory(v1.memory),
    blkio: blkio(v1.blkio),
    ...(v1.memory !== undefined && oom.size > 0
      ? { memoryOomControl: { oomKillDisable: oom.get('oom_kill_disable') ?? 0n, underOom: oom.get('under_oom') ?? 0n, oomKill: oom.get('oom_kill') ?? 0n } }
      : {}),
  };
}
