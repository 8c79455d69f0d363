/**
 * Validation of the OCI seccomp profile's scalar fields: actions, flags, architectures
 * and argument conditions. Every error names the config field it comes from.
 */

import { invalidArgument } from '@berth/errors';
import type { LinuxSeccompArg } from '../spec/types.js';

/** SECCOMP_RET_* (linux/seccomp.h). The low 16 bits (SECCOMP_RET_DATA) carry data. */
export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

const EPERM = 1;

/**
 * The action as a SECCOMP_RET value. For ERRNO and TRACE the data is `errnoRet`, or
 * EPERM when unset - runc does the same for both (for TRACE the tracer just sees it
 * as the PTRACE_EVENT_SECCOMP message).
 */
export function resolveAction(
  action: unknown,
  errnoRet: unknown,
  field: string,
  errnoField: string,
  warnings: string[],
): number {
  const data = (): number => {
    if (errnoRet === undefined || errnoRet === null) return EPERM;
    if (!Number.isInteger(errnoRet) || (errnoRet as number) < 0 || (errnoRet as number) > 0xffff) {
      throw invalidArgument(`${errnoField}: must be an integer in 0..65535, got ${String(errnoRet)}`);
    }
    return errnoRet as number;
  };
  const noData = (ret: number): number => {
    if (errnoRet !== undefined && errnoRet !== null) {
      warnings.push(`${errnoField}: ignored, only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it`);
    }
    return ret;
  };
  if (typeof action !== 'string' || action === '') throw invalidArgument(`${field}: must be set`);
  switch (action) {
    case 'SCMP_ACT_KILL': // libseccomp's SCMP_ACT_KILL is KILL_THREAD
    case 'SCMP_ACT_KILL_THREAD':
      return noData(SECCOMP_RET.KILL_THREAD);
    case 'SCMP_ACT_KILL_PROCESS':
      return noData(SECCOMP_RET.KILL_PROCESS);
    case 'SCMP_ACT_TRAP':
      return noData(SECCOMP_RET.TRAP);
    case 'SCMP_ACT_ERRNO':
      return (SECCOMP_RET.ERRNO | data()) >>> 0;
    case 'SCMP_ACT_TRACE':
      return (SECCOMP_RET.TRACE | data()) >>> 0;
    case 'SCMP_ACT_LOG':
      return noData(SECCOMP_RET.LOG);
    case 'SCMP_ACT_ALLOW':
      return noData(SECCOMP_RET.ALLOW);
    case 'SCMP_ACT_NOTIFY':
      throw invalidArgument(
        `${field}: SCMP_ACT_NOTIFY is not supported (no seccomp notify listener support)`,
      );
    default:
      throw invalidArgument(`${field}: unknown action ${JSON.stringify(action)}`);
  }
}

/** SECCOMP_FILTER_FLAG_* accepted for SECCOMP_SET_MODE_FILTER. */
const FILTER_FLAGS: ReadonlyMap<string, number> = new Map([
  ['SECCOMP_FILTER_FLAG_TSYNC', 1],
  ['SECCOMP_FILTER_FLAG_LOG', 2],
  ['SECCOMP_FILTER_FLAG_SPEC_ALLOW', 4],
]);

export function resolveFlags(flags: unknown): number {
  if (flags === undefined || flags === null) return 0;
  if (!Array.isArray(flags)) throw invalidArgument('linux.seccomp.flags: must be an array');
  let out = 0;
  flags.forEach((flag: unknown, i) => {
    const bit = typeof flag === 'string' ? FILTER_FLAGS.get(flag) : undefined;
    if (bit !== undefined) {
      out |= bit;
    } else if (flag === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV') {
      // Only valid together with a notify listener, which is not supported.
      throw invalidArgument(`linux.seccomp.flags[${i}]: ${flag} needs SCMP_ACT_NOTIFY (not supported)`);
    } else {
      throw invalidArgument(`linux.seccomp.flags[${i}]: unknown flag ${JSON.stringify(flag)}`);
    }
  });
  return out;
}

/** The x86 ABIs an x86_64 kernel can present to a filter. */
export type X86Abi = 'x86_64' | 'x86' | 'x32';

const X86_ARCHES: ReadonlyMap<string, X86Abi> = new Map([
  ['SCMP_ARCH_X86_64', 'x86_64'],
  ['SCMP_ARCH_X86', 'x86'],
  ['SCMP_ARCH_X32', 'x32'],
]);

/**
 * Other architectures libseccomp knows. An x86_64 kernel never reports them in
 * seccomp_data.arch, so listing them is accepted and has no effect (profiles such as
 * Docker's are shared across hosts).
 */
const FOREIGN_ARCHES: ReadonlySet<string> = new Set(
  [
    'ARM', 'AARCH64', 'MIPS', 'MIPS64', 'MIPS64N32', 'MIPSEL', 'MIPSEL64', 'MIPSEL64N32',
    'PPC', 'PPC64', 'PPC64LE', 'S390', 'S390X', 'PARISC', 'PARISC64', 'RISCV64',
    'LOONGARCH64', 'M68K', 'SH', 'SHEB',
  ].map((a) => `SCMP_ARCH_${a}`),
);

/** The ABIs to build sections for; x86_64 (native) is always first and present. */
export function resolveArches(arches: unknown): X86Abi[] {
  const out: X86Abi[] = ['x86_64'];
  if (arches === undefined || arches === null) return out;
  if (!Array.isArray(arches)) throw invalidArgument('linux.seccomp.architectures: must be an array');
  arches.forEach((arch: unknown, i) => {
    const abi = typeof arch === 'string' ? X86_ARCHES.get(arch) : undefined;
    if (abi !== undefined) {
      if (!out.includes(abi)) out.push(abi);
    } else if (typeof arch !== 'string' || !FOREIGN_ARCHES.has(arch)) {
      throw invalidArgument(`linux.seccomp.architectures[${i}]: unknown architecture ${JSON.stringify(arch)}`);
    }
  });
  return out;
}

export type CmpOp = 'NE' | 'LT' | 'LE' | 'EQ' | 'GE' | 'GT' | 'MASKED_EQ';

/** A validated argument condition; 64-bit values split into 32-bit words. */
export interface ArgCond {
  index: number;
  op: CmpOp;
  /** The value to compare with; for MASKED_EQ the mask. */
  hi: number;
  lo: number;
  /** MASKED_EQ only: the expected value of (arg & mask). */
  hi2: number;
  lo2: number;
}

const OPS: ReadonlyMap<string, CmpOp> = new Map(
  (['NE', 'LT', 'LE', 'EQ', 'GE', 'GT', 'MASKED_EQ'] as const).map((op) => [`SCMP_CMP_${op}`, op]),
);

function u64(value: unknown, field: string, fallback?: number): { hi: number; lo: number } {
  const v = value === undefined || value === null ? fallback : value;
  // JSON numbers above 2^53 are already rounded by the parser, so they cannot be trusted.
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw invalidArgument(`${field}: must be an integer in 0..${Number.MAX_SAFE_INTEGER}, got ${String(value)}`);
  }
  return { hi: Math.floor(v / 2 ** 32), lo: v % 2 ** 32 };
}

export function resolveArg(arg: LinuxSeccompArg, field: string): ArgCond {
  if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5) {
    throw invalidArgument(`${field}.index: must be 0..5, got ${String(arg.index)}`);
  }
  const op = typeof arg.op === 'string' ? OPS.get(arg.op) : undefined;
  if (op === undefined) throw invalidArgument(`${field}.op: unknown operator ${JSON.stringify(arg.op)}`);
  const v = u64(arg.value, `${field}.value`);
  // valueTwo is optional in the spec; runc (Go) reads a missing one as 0.
  const v2 = op === 'MASKED_EQ' ? u64(arg.valueTwo, `${field}.valueTwo`, 0) : { hi: 0, lo: 0 };
  return { index: arg.index, op, hi: v.hi, lo: v.lo, hi2: v2.hi, lo2: v2.lo };
}
