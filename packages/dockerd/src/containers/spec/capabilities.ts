/**
 * The capability set of a container: docker's default set, CapAdd and CapDrop
 * (names with or without CAP_, any case, "ALL"), or every capability for
 * --privileged. Capabilities missing from berthd's own bounding set are left
 * out (a container can never hold them, and asking makes the runtime fail
 * with EPERM: this sandbox lacks CAP_SYS_RESOURCE, for one).
 */
import fs from 'node:fs';
import { invalidArgument } from '@berth/errors';
import { defaultCapabilities } from './defaults.js';

/** Linux capabilities by number (capability.h). */
export const allCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

function boundingSet(): Set<string> {
  try {
    const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hex === undefined) return new Set(allCapabilities);
    const mask = BigInt(`0x${hex}`);
    return new Set(allCapabilities.filter((_, i) => (mask >> BigInt(i)) & 1n));
  } catch {
    return new Set(allCapabilities);
  }
}

let bounding: Set<string> | undefined;

function normalize(name: string): string {
  const up = name.toUpperCase();
  if (up === 'ALL') return 'ALL';
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!allCapabilities.includes(full)) throw invalidArgument(`unknown capability: "${full}"`);
  return full;
}

export function containerCapabilities(privileged: boolean, add: string[] | null, drop: string[] | null): string[] {
  bounding ??= boundingSet();
  const adds = (add ?? []).map(normalize);
  const drops = (drop ?? []).map(normalize);
  let caps: string[];
  if (privileged || adds.includes('ALL')) caps = [...allCapabilities];
  else caps = [...defaultCapabilities, ...adds.filter((c) => !defaultCapabilities.includes(c))];
  if (!privileged) {
    // docker: an explicit add wins over a drop of the same capability, except ALL
    if (drops.includes('ALL')) caps = caps.filter((c) => adds.includes(c));
    else caps = caps.filter((c) => !drops.includes(c) || adds.includes(c));
  }
  return caps.filter((c) => bounding?.has(c));
}
