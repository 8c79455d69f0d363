/**
 * Compiles an OCI seccomp profile (config.json linux.seccomp) into the classic BPF
 * program SECCOMP_SET_MODE_FILTER takes, for an x86_64 kernel.
 *
 * Layout (execution order):
 *
 *   ld arch
 *   jeq AUDIT_ARCH_X86_64 -> [x86_64]
 *   jeq AUDIT_ARCH_I386   -> [x86]        (only if SCMP_ARCH_X86 is listed)
 *   ret KILL_PROCESS                      (any other arch: libseccomp's "bad arch" action)
 *   [x86_64]: ld nr
 *             jge X32_SYSCALL_BIT -> [x32] if SCMP_ARCH_X32 is listed, else ret KILL_PROCESS
 *             <syscall chain>
 *   [x32]:    <syscall chain>             (numbers include X32_SYSCALL_BIT)
 *   [x86]:    ld nr; <syscall chain>
 *
 * x32 calls arrive with AUDIT_ARCH_X86_64 and bit 30 set in nr. Like libseccomp, an
 * x32 call is treated as coming from a separate architecture: when SCMP_ARCH_X32 is not
 * listed it is killed, rather than given the default action; otherwise an allowlist
 * would be bypassable through the x32 entry points (x32 shares x86_64's handlers).
 * Negative numbers (e.g. syscall(-1)) also have that bit set and are treated alike.
 *
 * A syscall chain is a linear list, one entry per syscall number, in profile order:
 *
 *   jeq NR -> body, else next entry ...      (A holds nr; the bodies never fall back)
 *   body: rule 1's argument checks, failing to rule 2 ...; ret rule 1's action
 *         rule 2 ...; ret default             (no rule matched)
 *   ret default                               (end of chain: syscall not listed)
 *
 * Rules for one syscall are tried in profile order, the first whose conditions all
 * hold decides, a rule without conditions always holds (later rules are dropped).
 * Rules whose action equals the default action are dropped first, as runc/libseccomp
 * do (libseccomp refuses them); so an earlier "default" rule never shadows later ones.
 * Jumps to far targets get ja trampolines (see bpf.ts), so program size only matters
 * against the kernel's 4096-instruction limit: unconditional rules cost about one
 * instruction per syscall and ABI (`ret` instructions are shared when in reach).
 */

import { invalidArgument } from '@berth/errors';
import type { LinuxSeccomp, LinuxSeccompArg } from '../spec/types.js';
import { BackwardAssembler, BPF, encode, type Label } from './bpf.js';
import {
  type ArgCond,
  type X86Abi,
  resolveAction,
  resolveArches,
  resolveArg,
  resolveFlags,
  SECCOMP_RET,
} from './profile.js';
import { SYSCALLS_X86 } from './syscalls-x86.js';
import { SYSCALLS_X32, SYSCALLS_X86_64, X32_SYSCALL_BIT } from './syscalls-x86_64.js';

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;

/** struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. */
const NR_OFFSET = 0;
const ARCH_OFFSET = 4;
/** Low word of args[i] (little-endian); the high word is 4 bytes further. */
const argOffset = (index: number): number => 16 + 8 * index;

export interface CompiledSeccomp {
  /** struct sock_filter[], filter.length / 8 instructions. */
  filter: Buffer;
  /** SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER, flags, ...). */
  flags: number;
  /** Things ignored on the way (e.g. syscall names unknown for every listed arch). */
  warnings: string[];
}

interface Rule {
  field: string;
  names: string[];
  ret: number;
  conds: ArgCond[];
}

const TABLES: Readonly<Record<X86Abi, ReadonlyMap<string, number>>> = {
  x86_64: SYSCALLS_X86_64,
  x32: SYSCALLS_X32,
  x86: SYSCALLS_X86,
};

const MAX_COND_JUMP = 255;

export function compileSeccomp(profile: LinuxSeccomp): CompiledSeccomp {
  const warnings: string[] = [];
  const defaultRet = resolveAction(
    profile.defaultAction,
    profile.defaultErrnoRet,
    'linux.seccomp.defaultAction',
    'linux.seccomp.defaultErrnoRet',
    warnings,
  );
  const flags = resolveFlags(profile.flags);
  const abis = resolveArches(profile.architectures);
  if (profile.listenerPath) {
    warnings.push('linux.seccomp.listenerPath: ignored, SCMP_ACT_NOTIFY is not supported');
  }
  const rules = parseRules(profile.syscalls, abis, warnings).filter((r) => r.ret !== defaultRet);

  const asm = new BackwardAssembler();
  // Sections are emitted backwards: x86, x32, x86_64, then the arch dispatch.
  const entry = new Map<X86Abi, Label>();
  for (const abi of ['x86', 'x32'] as const) {
    if (!abis.includes(abi)) continue;
    const chain = emitChain(asm, groupRules(rules, abi, warnings), abi !== 'x86', defaultRet);
    entry.set(abi, abi === 'x86' ? asm.load(NR_OFFSET, chain) : chain);
  }
  const chain64 = emitChain(asm, groupRules(rules, 'x86_64', warnings), true, defaultRet);
  const x32 = entry.get('x32') ?? asm.ret(SECCOMP_RET.KILL_PROCESS);
  const x64 = asm.load(NR_OFFSET, asm.jump(BPF.JGE_K, X32_SYSCALL_BIT, x32, chain64));

  const badArch = asm.ret(SECCOMP_RET.KILL_PROCESS);
  const x86 = entry.get('x86');
  const notX64 = x86 === undefined ? badArch : asm.jump(BPF.JEQ_K, AUDIT_ARCH_I386, x86, badArch);
  asm.load(ARCH_OFFSET, asm.jump(BPF.JEQ_K, AUDIT_ARCH_X86_64, x64, notX64));

  return { filter: encode(asm.instructions()), flags, warnings };
}

/** Validates every rule (also the ones that turn out redundant) and resolves names. */
function parseRules(syscalls: unknown, abis: readonly X86Abi[], warnings: string[]): Rule[] {
  if (syscalls === undefined || syscalls === null) return [];
  if (!Array.isArray(syscalls)) throw invalidArgument('linux.seccomp.syscalls: must be an array');
  const warned = new Set<string>();
  return syscalls.map((sc: unknown, i): Rule => {
    const field = `linux.seccomp.syscalls[${i}]`;
    if (typeof sc !== 'object' || sc === null) throw invalidArgument(`${field}: must be an object`);
    const { names, action, errnoRet, args } = sc as Record<string, unknown>;
    if (!Array.isArray(names) || names.length === 0) {
      throw invalidArgument(`${field}.names: must list at least one syscall name`);
    }
    names.forEach((name: unknown, j) => {
      if (typeof name !== 'string' || name === '') {
        throw invalidArgument(`${field}.names[${j}]: must be a non-empty string`);
      }
      // runc skips names libseccomp cannot resolve; say so once per name.
      if (!warned.has(name) && !abis.some((abi) => TABLES[abi].has(name))) {
        warned.add(name);
        warnings.push(
          `${field}.names[${j}]: unknown syscall ${JSON.stringify(name)} for ${abis.join(', ')}; ignored`,
        );
      }
    });
    const ret = resolveAction(action, errnoRet, `${field}.action`, `${field}.errnoRet`, warnings);
    if (args !== undefined && args !== null && !Array.isArray(args)) {
      throw invalidArgument(`${field}.args: must be an array`);
    }
    const argList: unknown[] = Array.isArray(args) ? args : [];
    const conds = argList.map((arg, j) => {
      if (typeof arg !== 'object' || arg === null) throw invalidArgument(`${field}.args[${j}]: must be an object`);
      return resolveArg(arg as LinuxSeccompArg, `${field}.args[${j}]`);
    });
    return { field, names: names as string[], ret, conds };
  });
}

/** Syscall number -> rules in profile order, up to the first unconditional one. */
function groupRules(rules: readonly Rule[], abi: X86Abi, warnings: string[]): Map<number, Rule[]> {
  const table = TABLES[abi];
  const groups = new Map<number, Rule[]>();
  for (const rule of rules) {
    const nrs = new Set<number>();
    for (const name of rule.names) {
      const nr = table.get(name);
      if (nr !== undefined) nrs.add(nr);
    }
    if (nrs.size === 0) continue;
    // i386 arguments are 32 bits wide; like libseccomp, compare the low word only.
    if (abi === 'x86' && rule.conds.some((c) => c.hi !== 0 || c.hi2 !== 0)) {
      warnings.push(`${rule.field}.args: values above 32 bits are truncated for SCMP_ARCH_X86`);
    }
    for (const nr of nrs) {
      const group = groups.get(nr) ?? [];
      const last = group[group.length - 1];
      if (last !== undefined && last.conds.length === 0) continue; // unreachable
      group.push(rule);
      groups.set(nr, group);
    }
  }
  return groups;
}

/** Emits one ABI's syscall chain; returns its entry, which expects A = nr. */
function emitChain(
  asm: BackwardAssembler,
  groups: Map<number, Rule[]>,
  wide: boolean,
  defaultRet: number,
): Label {
  // Nearest `ret` per return value, reused while a conditional jump can reach it.
  const rets = new Map<number, Label>();
  const retFor = (value: number): Label => {
    const near = rets.get(value);
    if (near !== undefined && asm.distanceTo(near) <= MAX_COND_JUMP) return near;
    const label = asm.ret(value);
    rets.set(value, label);
    return label;
  };
  let next = retFor(defaultRet);
  for (const [nr, rules] of [...groups].reverse()) {
    let body: Label | undefined; // entry of the rule after the current one
    for (const rule of [...rules].reverse()) {
      let entry = retFor(rule.ret);
      if (rule.conds.length > 0) {
        const fail = body ?? retFor(defaultRet); // no later rule: default action
        for (const cond of [...rule.conds].reverse()) entry = emitCond(asm, cond, entry, fail, wide);
      }
      body = entry;
    }
    if (body === undefined) continue;
    next = asm.jump(BPF.JEQ_K, nr >>> 0, body, next);
  }
  return next;
}

/**
 * Checks one argument condition, going to `pass` or `fail`. 64-bit values are compared
 * as unsigned: the high words decide unless equal, then the low words do. With
 * `wide` false (i386) only the low word is checked.
 */
function emitCond(asm: BackwardAssembler, c: ArgCond, pass: Label, fail: Label, wide: boolean): Label {
  const { JEQ_K, JGT_K, JGE_K } = BPF;
  let lo: Label;
  switch (c.op) {
    case 'EQ': lo = asm.jump(JEQ_K, c.lo, pass, fail); break;
    case 'NE': lo = asm.jump(JEQ_K, c.lo, fail, pass); break;
    case 'GT': lo = asm.jump(JGT_K, c.lo, pass, fail); break;
    case 'GE': lo = asm.jump(JGE_K, c.lo, pass, fail); break;
    case 'LT': lo = asm.jump(JGE_K, c.lo, fail, pass); break;
    case 'LE': lo = asm.jump(JGT_K, c.lo, fail, pass); break;
    case 'MASKED_EQ': lo = asm.and(c.lo, asm.jump(JEQ_K, c.lo2, pass, fail)); break;
  }
  lo = asm.load(argOffset(c.index), lo);
  if (!wide) return lo;

  let hi: Label;
  switch (c.op) {
    case 'EQ': hi = asm.jump(JEQ_K, c.hi, lo, fail); break;
    case 'NE': hi = asm.jump(JEQ_K, c.hi, lo, pass); break;
    case 'MASKED_EQ': hi = asm.and(c.hi, asm.jump(JEQ_K, c.hi2, lo, fail)); break;
    default: {
      // High word above the value's: GT/GE hold, LT/LE do not; below: the reverse.
      const greater = c.op === 'GT' || c.op === 'GE';
      const above = greater ? pass : fail;
      const below = greater ? fail : pass;
      hi = asm.jump(JGT_K, c.hi, above, asm.jump(JEQ_K, c.hi, lo, below));
    }
  }
  return asm.load(argOffset(c.index) + 4, hi);
}
