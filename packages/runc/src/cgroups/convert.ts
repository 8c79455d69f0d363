/**
 * Pure conversions between OCI (cgroup v1 flavoured) values and the strings
 * the kernel's cgroup files take. The formulas are runc 1.1's, so a container
 * gets the same cgroup values under berth-runc as under runc.
 */
import { invalidArgument } from '@berth/errors';

/**
 * cpu.shares [2..262144] -> cpu.weight [1..10000], linearly, with integer
 * (floor) division as runc does: 1 + ((shares - 2) * 9999) / 262142.
 * 0 means "unset" and stays 0; the default 1024 maps to 39.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** blkio.weight [10..1000] -> io.weight [1..10000]: 1 + (w - 10) * 9999 / 990. */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * OCI memory.swap is memory+swap (a v1 notion); memory.swap.max on v2 is the
 * swap alone. Returns the v2 value: -1 = "max", 0 = leave unset. Errors are
 * runc's (validated before anything is written).
 */
export function memorySwapToV2(swap: number, memory: number): number {
  // memory unlimited and swap not given: both unlimited, as on v1.
  if (memory === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0) return swap;
  if (memory === 0 || memory === -1) {
    throw invalidArgument('linux.resources.memory.swap: unable to set swap limit without memory limit');
  }
  if (memory < 0) throw invalidArgument(`linux.resources.memory.limit: invalid memory value: ${memory}`);
  if (swap < memory) {
    throw invalidArgument('linux.resources.memory.swap: memory+swap limit should be >= memory limit');
  }
  return swap - memory;
}

/** runc's numToStr for v2 files: 0 -> "" (unset), -1 -> "max", else decimal. */
export function v2Num(value: number): string {
  if (value === 0) return '';
  if (value === -1) return 'max';
  return String(value);
}

/**
 * cpu.max is "<quota|max> <period>". A quota <= 0 (OCI uses -1) is "max";
 * runc 1.1 always writes a period, defaulting to the kernel's 100000us.
 */
export function cpuMaxValue(quota: number, period: number): string {
  const q = quota > 0 ? String(quota) : 'max';
  return `${q} ${period === 0 ? 100000 : period}`;
}

/** pids.max: a limit <= 0 other than "unset" means unlimited ("max"). */
export function pidsMaxValue(limit: number): string {
  return limit > 0 ? String(limit) : 'max';
}

/** "major:minor value" as blkio.*_device and io.max/io.bfq.weight take it. */
export function deviceValue(major: number, minor: number, value: number | string): string {
  return `${major}:${minor} ${value}`;
}

/**
 * /sys/kernel/mm/hugepages entry names ("hugepages-2048kB") -> the size names
 * the hugetlb controller uses in file names ("2MB"), as the kernel forms them.
 */
export function hugePageSizeName(dirName: string): string | undefined {
  const m = /^hugepages-(\d+)kB$/.exec(dirName);
  if (!m) return undefined;
  const kb = Number(m[1]);
  if (kb >= 1 << 20) return `${Math.floor(kb / (1 << 20))}GB`;
  if (kb >= 1 << 10) return `${Math.floor(kb / (1 << 10))}MB`;
  return `${kb}KB`;
}

/** cpuset list format ("0-3,8,10-11") -> sorted-as-written numbers. */
export function parseCpusetList(text: string): number[] | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi > 0xffff) return undefined;
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}
