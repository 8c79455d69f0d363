/**
 * Linux capability names and bit numbers (linux/capability.h), and the masks
 * the native core hands to capset(2) and PR_CAPBSET_DROP.
 *
 * Unknown names: runc 1.1.5 does not fail on them. It drops every name it does
 * not know, *or* that the running kernel does not have (bit above
 * /proc/sys/kernel/cap_last_cap), and logs one warning for the whole process
 * (all five sets together, sorted, de-duplicated):
 *   level=warning msg="ignoring unknown or unavailable capabilities: [CAP_BAR CAP_FOO]"
 * (checked with the real binary in capabilities.test.ts). capabilityMask
 * follows that, returning the dropped names so the caller can log
 * unknownCapabilitiesWarning(...) the same way. Only a non-string entry is an
 * error, because Go could not have decoded it at all.
 */
import { readFileSync } from 'node:fs';
import { invalidArgument } from '@berth/errors';
import { goSortStrings } from './go-json.js';

/** Index = capability number. Also the order `runc features` lists them in. */
export const CAPABILITY_NAMES: readonly string[] = Object.freeze([
  'CAP_CHOWN', // 0
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL', // 5
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE', // 10
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', // 15
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', // 20
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', // 25
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL', // 30
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM', // 35
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', // 40
]);

/** The highest capability this table (and runc 1.1.5) knows. */
export const CAP_LAST_KNOWN = CAPABILITY_NAMES.length - 1;

export const CAPABILITY_BITS: ReadonlyMap<string, number> = new Map(CAPABILITY_NAMES.map((n, i) => [n, i]));

/** The bit of a capability name ("CAP_KILL" -> 5); names are case-sensitive, as in runc. */
export function capabilityBit(name: string): number | undefined {
  return CAPABILITY_BITS.get(name);
}

let cachedLastCap: number | undefined;

/**
 * The running kernel's highest capability (/proc/sys/kernel/cap_last_cap),
 * read once. If it cannot be read, runc's capability library treats every
 * cap it knows as available; we return CAP_LAST_KNOWN to the same effect.
 */
export function lastCap(): number {
  if (cachedLastCap === undefined) {
    let n = Number.NaN;
    try {
      n = Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim(), 10);
    } catch {
      // fall through to the default
    }
    cachedLastCap = Number.isInteger(n) && n >= 0 && n < 64 ? n : CAP_LAST_KNOWN;
  }
  return cachedLastCap;
}

/**
 * The 64-bit mask of a capability list (one of process.capabilities.*).
 * `field` names the list in errors, e.g. "process.capabilities.bounding".
 * Names that are unknown or above `last` are left out of the mask and
 * returned in `unknown` (first-seen order, no duplicates).
 */
export function capabilityMask(
  names: readonly string[],
  field: string,
  last: number = lastCap(),
): { mask: bigint; unknown: string[] } {
  if (!Array.isArray(names)) throw invalidArgument(`${field}: expected an array of capability names`);
  let mask = 0n;
  const unknown: string[] = [];
  names.forEach((name: unknown, i) => {
    if (typeof name !== 'string') throw invalidArgument(`${field}[${i}]: expected a capability name string`);
    const bit = CAPABILITY_BITS.get(name);
    if (bit === undefined || bit > last) {
      if (!unknown.includes(name)) unknown.push(name);
    } else {
      mask |= 1n << BigInt(bit);
    }
  });
  return { mask, unknown };
}

/** runc's warning text for the names dropped from all five sets together. */
export function unknownCapabilitiesWarning(unknown: Iterable<string>): string {
  return `ignoring unknown or unavailable capabilities: [${goSortStrings(new Set(unknown)).join(' ')}]`;
}

/** The names whose bits are set in mask (unknown bits are ignored). */
export function capabilityNames(mask: bigint): string[] {
  return CAPABILITY_NAMES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}
