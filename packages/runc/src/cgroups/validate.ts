/**
 * Checks that need no kernel, run before the first write of a `set` so that
 * a config we can already tell is wrong changes nothing. (The kernel still
 * has the last word on values; a write it rejects leaves that file as it was.)
 */
import { invalidArgument } from '@berth/errors';
import type { LinuxResources } from '../spec/types.js';
import { memorySwapToV2 } from './convert.js';
import { rulesFromSpec } from './devices.js';

export interface NetworkSettings {
  classID?: number;
  priorities: { name: string; priority: number }[];
}

export interface RdmaLimit {
  hcaHandles?: number;
  hcaObjects?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optNumber = (v: unknown, field: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw invalidArgument(`${field}: must be a non-negative integer`);
  return v;
};

/** linux.resources.network (typed `unknown` in the spec types) narrowed. */
export function networkSettings(r: LinuxResources): NetworkSettings | undefined {
  const n = r.network;
  if (n === undefined || n === null) return undefined;
  if (!isRecord(n)) throw invalidArgument('linux.resources.network: must be an object');
  const classID = optNumber(n['classID'], 'linux.resources.network.classID');
  const prios = n['priorities'] ?? [];
  if (!Array.isArray(prios)) throw invalidArgument('linux.resources.network.priorities: must be an array');
  const priorities = prios.map((p: unknown, i) => {
    const field = `linux.resources.network.priorities[${i}]`;
    if (!isRecord(p) || typeof p['name'] !== 'string' || /\s/.test(p['name']) || p['name'] === '') {
      throw invalidArgument(`${field}.name: must be an interface name`);
    }
    return { name: p['name'], priority: optNumber(p['priority'], `${field}.priority`) ?? 0 };
  });
  return classID === undefined ? { priorities } : { classID, priorities };
}

/** linux.resources.rdma (typed `unknown`) narrowed: device -> limits. */
export function rdmaLimits(r: LinuxResources): Map<string, RdmaLimit> {
  const out = new Map<string, RdmaLimit>();
  if (r.rdma === undefined || r.rdma === null) return out;
  if (!isRecord(r.rdma)) throw invalidArgument('linux.resources.rdma: must be an object');
  for (const [dev, v] of Object.entries(r.rdma)) {
    const field = `linux.resources.rdma[${JSON.stringify(dev)}]`;
    if (!isRecord(v) || /\s/.test(dev) || dev === '') throw invalidArgument(`${field}: invalid rdma limit`);
    const hcaHandles = optNumber(v['hcaHandles'], `${field}.hcaHandles`);
    const hcaObjects = optNumber(v['hcaObjects'], `${field}.hcaObjects`);
    out.set(dev, {
      ...(hcaHandles === undefined ? {} : { hcaHandles }),
      ...(hcaObjects === undefined ? {} : { hcaObjects }),
    });
  }
  return out;
}

/**
 * Validate `r` for a v1 or v2 manager. Returns warnings for settings that are
 * accepted but have no effect (as runc logs them).
 */
export function validateResources(r: LinuxResources, version: 1 | 2): string[] {
  const warnings: string[] = [];
  const mem = r.memory;
  if (mem) {
    const kmem = (['kernel', 'kernelTCP'] as const).filter((k) => mem[k] !== undefined);
    if (kmem.length > 0) {
      warnings.push(`${kmem.map((k) => `linux.resources.memory.${k}`).join(', ')}: kernel memory settings are ignored and will be removed`);
    }
    const sw = mem.swappiness;
    if (sw !== undefined && sw !== -1 && (sw < 0 || sw > 100)) {
      throw invalidArgument(`linux.resources.memory.swappiness: invalid memory swappiness value: ${sw} (valid range is 0-100)`);
    }
    if (version === 2) memorySwapToV2(mem.swap ?? 0, mem.limit ?? 0);
  }
  if (r.devices !== undefined) rulesFromSpec(r.devices);
  r.hugepageLimits?.forEach((h, i) => {
    // The page size becomes part of a file name: keep it to "<n>KB|MB|GB".
    if (!/^[0-9]+[KMG]B$/.test(h.pageSize)) {
      throw invalidArgument(`linux.resources.hugepageLimits[${i}].pageSize: invalid page size ${JSON.stringify(h.pageSize)}`);
    }
  });
  const unified = Object.keys(r.unified ?? {});
  if (unified.length > 0 && version === 1) {
    throw invalidArgument('linux.resources.unified: invalid configuration: cannot use unified on cgroup v1');
  }
  for (const k of unified) {
    if (k.includes('/') || k === '.' || k === '..' || k === '') {
      throw invalidArgument(`linux.resources.unified[${JSON.stringify(k)}]: unified resource must be a file name (no slashes)`);
    }
  }
  const net = networkSettings(r);
  rdmaLimits(r);
  if (version === 2) {
    const ignored: string[] = [];
    if (mem?.swappiness !== undefined && mem.swappiness !== -1) ignored.push('memory.swappiness');
    if (mem?.disableOOMKiller) ignored.push('memory.disableOOMKiller');
    if (r.cpu?.realtimeRuntime || r.cpu?.realtimePeriod) ignored.push('cpu.realtimeRuntime/realtimePeriod');
    if (r.blockIO?.leafWeight || r.blockIO?.weightDevice?.some((d) => d.leafWeight)) ignored.push('blockIO.leafWeight');
    if (net && (net.classID !== undefined || net.priorities.length > 0)) ignored.push('network');
    for (const f of ignored) warnings.push(`linux.resources.${f}: not supported on cgroup v2, ignored`);
  }
  return warnings;
}
