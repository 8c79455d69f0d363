/**
 * docker's StatsJSON for one container: the task's cgroup v1 metrics (what
 * berth-shim reads, through containerd's Tasks.Metrics) in moby's field names,
 * with the host figures the daemon adds (system CPU time from /proc/stat,
 * online CPUs, the machine's memory as the limit of an unlimited container)
 * and the network counters of the container's namespace. A container that is
 * not running gets moby's zeroed object (only name and id set).
 */
import fs from 'node:fs';
import os from 'node:os';
import { isBerthError } from '@berth/errors';
import { MetricsSchema, type BlkIOEntry, type Metrics } from '@berth/containerd/gen/containerd/cgroups/stats/v1/metrics_pb';
import { unpackAs } from '@berth/containerd/typeurl';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import { zeroTime } from './model.js';
import { nowRfc3339Nano } from '../logs/time.js';

/** Counters are uint64 in docker's JSON; bigints keep the large ones (unlimited limits) exact. */
type Num = number | bigint;

export interface CpuStats {
  cpu_usage: { total_usage: Num; percpu_usage?: Num[]; usage_in_kernelmode: Num; usage_in_usermode: Num };
  system_cpu_usage?: Num;
  online_cpus?: number;
  throttling_data: { periods: Num; throttled_periods: Num; throttled_time: Num };
}

type BlkioEntry = { major: Num; minor: Num; op: string; value: Num };
const blkioKeys = ['io_service_bytes_recursive', 'io_serviced_recursive', 'io_queue_recursive', 'io_service_time_recursive',
  'io_wait_time_recursive', 'io_merged_recursive', 'io_time_recursive', 'sectors_recursive'] as const;

export interface StatsJson {
  read: string;
  preread: string;
  pids_stats: { current?: Num; limit?: Num };
  blkio_stats: Record<(typeof blkioKeys)[number], BlkioEntry[] | null>;
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: Num; max_usage?: Num; stats?: Record<string, Num>; failcnt?: Num; limit?: Num };
  name: string;
  id: string;
  networks?: Record<string, Record<string, Num>>;
}

const zeroCpu = (): CpuStats => ({
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

/** moby's answer for a container that is not running: every figure zero, only name and id. */
export function zeroStats(c: Container): StatsJson {
  return {
    read: zeroTime, preread: zeroTime, pids_stats: {},
    blkio_stats: Object.fromEntries(blkioKeys.map((k) => [k, null])) as StatsJson['blkio_stats'],
    num_procs: 0, storage_stats: {}, cpu_stats: zeroCpu(), precpu_stats: zeroCpu(), memory_stats: {},
    name: c.record.name, id: c.id,
  };
}

const nsPerTick = 10_000_000n; // USER_HZ is 100 on Linux

/** Host CPU time in ns: the first seven fields of /proc/stat's "cpu" line, as moby's collector sums them. */
export function systemCpuUsage(): bigint | undefined {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('cpu '));
  const fields = line?.trim().split(/\s+/).slice(1, 8);
  if (!fields || fields.length < 7) return undefined;
  return fields.reduce((n, f) => n + BigInt(f), 0n) * nsPerTick;
}

const blkio = (entries: BlkIOEntry[] | undefined): BlkioEntry[] =>
  (entries ?? []).map((x) => ({ major: x.major, minor: x.minor, op: x.op, value: x.value }));

function memoryStats(m: NonNullable<Metrics['memory']>): StatsJson['memory_stats'] {
  const stats: Record<string, Num> = {
    cache: m.cache, rss: m.rss, rss_huge: m.rssHuge, mapped_file: m.mappedFile, dirty: m.dirty, writeback: m.writeback,
    pgpgin: m.pgPgIn, pgpgout: m.pgPgOut, pgfault: m.pgFault, pgmajfault: m.pgMajFault, inactive_anon: m.inactiveAnon,
    active_anon: m.activeAnon, inactive_file: m.inactiveFile, active_file: m.activeFile, unevictable: m.unevictable,
    hierarchical_memory_limit: m.hierarchicalMemoryLimit, hierarchical_memsw_limit: m.hierarchicalSwapLimit,
    total_cache: m.totalCache, total_rss: m.totalRss, total_rss_huge: m.totalRssHuge, total_mapped_file: m.totalMappedFile,
    total_dirty: m.totalDirty, total_writeback: m.totalWriteback, total_pgpgin: m.totalPgPgIn, total_pgpgout: m.totalPgPgOut,
    total_pgfault: m.totalPgFault, total_pgmajfault: m.totalPgMajFault, total_inactive_anon: m.totalInactiveAnon,
    total_active_anon: m.totalActiveAnon, total_inactive_file: m.totalInactiveFile, total_active_file: m.totalActiveFile,
    total_unevictable: m.totalUnevictable,
  };
  if (!m.usage) return { stats };
  // an unlimited cgroup reports a near-2^63 limit: moby shows the machine's memory instead
  const machine = BigInt(os.totalmem());
  const limit = m.usage.limit > machine ? machine : m.usage.limit;
  return { usage: m.usage.usage, max_usage: m.usage.max, stats, failcnt: m.usage.failcnt, limit };
}

/** The interfaces of the container's network namespace but lo, from /proc/<pid>/net/dev. */
function networkStats(pid: number): StatsJson['networks'] {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8');
  } catch {
    return undefined;
  }
  const out: NonNullable<StatsJson['networks']> = {};
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (rest === undefined || name === undefined || name.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map((v) => BigInt(v));
    const at = (i: number) => f[i] ?? 0n;
    out[name.trim()] = {
      rx_bytes: at(0), rx_packets: at(1), rx_errors: at(2), rx_dropped: at(3),
      tx_bytes: at(8), tx_packets: at(9), tx_errors: at(10), tx_dropped: at(11),
    };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

async function taskMetrics(e: Engine, id: string): Promise<Metrics | undefined> {
  try {
    const { metrics } = await e.ctr.tasks.metrics({ filters: [`id==${id}`] });
    const data = metrics.find((m) => m.id === id)?.data;
    return data ? unpackAs(data, MetricsSchema) : undefined;
  } catch (err) {
    // the task went away between the state check and the call: a stopped container's figures
    if (isBerthError(err, 'NotFound') || isBerthError(err, 'FailedPrecondition')) return undefined;
    throw err;
  }
}

/** One sample of a running container (precpu/preread left zero: the caller chains samples); undefined when it is not running. */
export async function sampleStats(e: Engine, c: Container): Promise<StatsJson | undefined> {
  const s = c.record.state.Status;
  if (s !== 'running' && s !== 'paused') return undefined;
  const m = await taskMetrics(e, c.id);
  if (!m) return undefined;
  const out = zeroStats(c);
  out.read = nowRfc3339Nano();
  if (m.pids) out.pids_stats = { ...(m.pids.current ? { current: m.pids.current } : {}), ...(m.pids.limit ? { limit: m.pids.limit } : {}) };
  if (m.blkio) {
    const b = m.blkio;
    out.blkio_stats = {
      io_service_bytes_recursive: blkio(b.ioServiceBytesRecursive), io_serviced_recursive: blkio(b.ioServicedRecursive),
      io_queue_recursive: blkio(b.ioQueuedRecursive), io_service_time_recursive: blkio(b.ioServiceTimeRecursive),
      io_wait_time_recursive: blkio(b.ioWaitTimeRecursive), io_merged_recursive: blkio(b.ioMergedRecursive),
      io_time_recursive: blkio(b.ioTimeRecursive), sectors_recursive: blkio(b.sectorsRecursive),
    };
  }
  if (m.cpu?.usage) {
    const u = m.cpu.usage;
    const t = m.cpu.throttling;
    out.cpu_stats = {
      cpu_usage: { total_usage: u.total, ...(u.perCpu.length > 0 ? { percpu_usage: u.perCpu } : {}), usage_in_kernelmode: u.kernel, usage_in_usermode: u.user },
      throttling_data: { periods: t?.periods ?? 0, throttled_periods: t?.throttledPeriods ?? 0, throttled_time: t?.throttledTime ?? 0 },
    };
  }
  // sampled right after the container's figures, as moby does, so the two deltas line up
  const system = systemCpuUsage();
  if (system !== undefined) out.cpu_stats.system_cpu_usage = system;
  out.cpu_stats.online_cpus = os.availableParallelism();
  if (m.memory) out.memory_stats = memoryStats(m.memory);
  const mode = c.record.hostConfig.NetworkMode;
  if (mode !== 'host' && mode !== 'none' && c.record.state.Pid > 0) {
    const nets = networkStats(c.record.state.Pid);
    if (nets) out.networks = nets;
  }
  return out;
}

/** JSON with bigints written as plain numbers (docker's uint64 counters). */
export function statsLine(s: StatsJson): string {
  const text = JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v.toString()}\u0000` : v));
  return `${text.replace(/"\\u0000(\d+)\\u0000"/g, '$1')}\n`;
}
