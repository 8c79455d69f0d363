import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import {
  blkioWeightToIoWeight, cpuMaxValue, cpuSharesToWeight, deviceValue, hugePageSizeName, memorySwapToV2,
  parseCpusetList, pidsMaxValue, v2Num,
} from './convert.js';
import { emptyRawStats, statsToJSON, toRuncStats } from './stats-types.js';
import { validateResources } from './validate.js';
import { parseKeyValues, parseUint, U64_MAX } from './fsutil.js';

describe('v1 -> v2 conversions (runc formulas)', () => {
  it('maps cpu shares to cpu.weight', () => {
    expect(cpuSharesToWeight(0)).toBe(0);
    expect(cpuSharesToWeight(2)).toBe(1);
    expect(cpuSharesToWeight(1024)).toBe(39);
    expect(cpuSharesToWeight(512)).toBe(20);
    expect(cpuSharesToWeight(262144)).toBe(10000);
  });

  it('maps blkio weight to io.weight', () => {
    expect(blkioWeightToIoWeight(0)).toBe(0);
    expect(blkioWeightToIoWeight(10)).toBe(1);
    expect(blkioWeightToIoWeight(500)).toBe(4950);
    expect(blkioWeightToIoWeight(1000)).toBe(10000);
  });

  it('turns OCI memory+swap into memory.swap.max', () => {
    expect(memorySwapToV2(0, 0)).toBe(0);
    expect(memorySwapToV2(0, -1)).toBe(-1); // unlimited memory => unlimited swap
    expect(memorySwapToV2(-1, 100)).toBe(-1);
    expect(memorySwapToV2(300, 100)).toBe(200);
    expect(memorySwapToV2(100, 100)).toBe(0);
    expect(() => memorySwapToV2(50, 100)).toThrow(/linux.resources.memory.swap: memory\+swap limit should be >= memory limit/);
    expect(() => memorySwapToV2(100, 0)).toThrow(/unable to set swap limit without memory limit/);
    expect(() => memorySwapToV2(100, -5)).toThrow(/linux.resources.memory.limit: invalid memory value: -5/);
  });

  it('formats v2 file values', () => {
    expect(v2Num(0)).toBe('');
    expect(v2Num(-1)).toBe('max');
    expect(v2Num(4096)).toBe('4096');
    expect(cpuMaxValue(50000, 100000)).toBe('50000 100000');
    expect(cpuMaxValue(-1, 50000)).toBe('max 50000');
    expect(cpuMaxValue(20000, 0)).toBe('20000 100000');
    expect(cpuMaxValue(0, 25000)).toBe('max 25000');
    expect(pidsMaxValue(10)).toBe('10');
    expect(pidsMaxValue(-1)).toBe('max');
    expect(deviceValue(8, 0, 'rbps=1048576')).toBe('8:0 rbps=1048576');
  });

  it('names huge page sizes as the kernel does', () => {
    expect(hugePageSizeName('hugepages-2048kB')).toBe('2MB');
    expect(hugePageSizeName('hugepages-1048576kB')).toBe('1GB');
    expect(hugePageSizeName('hugepages-64kB')).toBe('64KB');
    expect(hugePageSizeName('something')).toBeUndefined();
  });

  it('parses cpuset lists and cgroup numbers', () => {
    expect(parseCpusetList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpusetList('')).toBeUndefined();
    expect(parseCpusetList('3-1')).toBeUndefined();
    expect(parseUint('max\n')).toBe(U64_MAX);
    expect(parseUint('-1')).toBe(0);
    expect(parseUint('9223372036854771712')).toBe(9223372036854771712);
    expect(parseUint('x')).toBeUndefined();
    expect([...parseKeyValues('cache 12\nrss 3\nbad line here\n')]).toEqual([['cache', 12], ['rss', 3]]);
  });
});

describe('validateResources', () => {
  it('rejects what runc rejects before writing anything', () => {
    const err = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = err(() => validateResources({ memory: { swappiness: 101 } }, 1));
    expect(isBerthError(e1, 'InvalidArgument')).toBe(true);
    expect((e1 as Error).message).toMatch(/^linux.resources.memory.swappiness: invalid memory swappiness value: 101/);
    expect(() => validateResources({ unified: { 'memory.high': '1' } }, 1)).toThrow(/cannot use unified on cgroup v1/);
    expect(() => validateResources({ unified: { '../x': '1' } }, 2)).toThrow(/must be a file name/);
    expect(() => validateResources({ hugepageLimits: [{ pageSize: '../2MB', limit: 1 }] }, 1)).toThrow(
      /linux.resources.hugepageLimits\[0\].pageSize/,
    );
    expect(() => validateResources({ devices: [{ allow: true, type: 'x', access: 'rwm' }] }, 1)).toThrow(
      /linux.resources.devices\[0\].type: invalid cgroup device type "x"/,
    );
    expect(() => validateResources({ memory: { limit: 100, swap: 50 } }, 2)).toThrow(/memory\+swap/);
    expect(() => validateResources({ network: { classID: -1 } }, 1)).toThrow(/linux.resources.network.classID/);
  });

  it('warns about ignored settings', () => {
    expect(validateResources({ memory: { kernel: 1, kernelTCP: 2 } }, 1)).toEqual([
      'linux.resources.memory.kernel, linux.resources.memory.kernelTCP: kernel memory settings are ignored and will be removed',
    ]);
    const w = validateResources({ devices: [{ allow: false, access: 'rwm' }], memory: { swappiness: 10 } }, 2);
    // device rules are enforced on v2 too (an eBPF program), so no warning
    expect(w.some((x) => x.startsWith('linux.resources.devices:'))).toBe(false);
    expect(w).toContain('linux.resources.memory.swappiness: not supported on cgroup v2, ignored');
    expect(validateResources({}, 1)).toEqual([]);
  });
});

describe('stats shape', () => {
  it('applies runc omitempty rules to empty stats', () => {
    const s = toRuncStats(emptyRawStats());
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      cpu: { usage: { kernel: 0, user: 0 }, throttling: {} },
      cpuset: {
        cpu_exclusive: 0, mem_hardwall: 0, mem_exclusive: 0, memory_migrate: 0, memory_spread_page: 0,
        memory_spread_slab: 0, memory_pressure: 0, sched_load_balance: 0, sched_relax_domain_level: 0,
      },
      memory: {
        usage: { limit: 0, failcnt: 0 }, swap: { limit: 0, failcnt: 0 },
        kernel: { limit: 0, failcnt: 0 }, kernelTCP: { limit: 0, failcnt: 0 },
      },
      pids: {},
      blkio: {},
      hugetlb: {},
      intel_rdt: {},
      network_interfaces: null,
    });
  });

  it('keeps Go field order, sorts maps, prints u64 exactly', () => {
    const raw = emptyRawStats();
    raw.cpu.total = 5;
    raw.cpu.percpu = [5, 0];
    raw.memory.cache = 7;
    raw.memory.usage = { limit: 9223372036854771712, usage: 1, max: 2, failcnt: 0 };
    raw.memory.swap.limit = U64_MAX;
    raw.memory.raw = new Map([['rss', 1], ['cache', 7]]);
    raw.blkio.ioServiceBytesRecursive.push({ major: 254, minor: 0, op: 'Read', value: 0 });
    raw.hugetlb.set('2MB', { usage: 0, max: 0, failcnt: 0 });
    const s = toRuncStats(raw);
    expect(Object.keys(s)).toEqual(['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'intel_rdt', 'network_interfaces']);
    expect(Object.keys(s.cpu.usage)).toEqual(['total', 'percpu', 'kernel', 'user']);
    expect(Object.keys(s.memory)).toEqual(['cache', 'usage', 'swap', 'kernel', 'kernelTCP', 'raw']);
    expect(Object.keys(s.memory.raw ?? {})).toEqual(['cache', 'rss']);
    expect(s.blkio.ioServiceBytesRecursive).toEqual([{ major: 254, op: 'Read' }]);
    expect(s.hugetlb).toEqual({ '2MB': { failcnt: 0 } });
    const text = statsToJSON(s);
    expect(text).toContain('"usage":{"limit":9223372036854771712,"usage":1,"max":2,"failcnt":0}');
    expect(text).toContain('"swap":{"limit":18446744073709551615,"failcnt":0}');
    expect(statsToJSON({ type: 'stats', data: s })).toContain('"data":{"cpu":');
  });
});
