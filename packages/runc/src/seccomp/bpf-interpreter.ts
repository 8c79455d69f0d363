/**
 * A tiny classic-BPF interpreter for seccomp filters, for tests: it checks a program
 * the way the kernel's loader does (size, jump ranges, seccomp's load restrictions,
 * final ret) and runs it on a synthetic struct seccomp_data.
 *
 * Supports exactly what the compiler emits, plus jset: ld [k] (word, absolute),
 * and #k, ja, jeq/jgt/jge/jset #k, ret #k.
 */

import { BPF, decode, type Insn, MAX_INSNS } from './bpf.js';

export interface SeccompData {
  nr: number;
  arch: number;
  instructionPointer?: bigint;
  /** Up to 6 arguments; numbers must be safe integers, bigints cover all 64 bits. */
  args?: ReadonlyArray<number | bigint>;
}

/** sizeof(struct seccomp_data) */
const DATA_SIZE = 64;
const U64_MASK = (1n << 64n) - 1n;

export function seccompDataBytes(data: SeccompData): Buffer {
  const buf = Buffer.alloc(DATA_SIZE);
  buf.writeInt32LE(data.nr | 0, 0); // int nr: negative numbers are allowed
  buf.writeUInt32LE(data.arch >>> 0, 4);
  buf.writeBigUInt64LE((data.instructionPointer ?? 0n) & U64_MASK, 8);
  const args = data.args ?? [];
  if (args.length > 6) throw new Error('seccomp_data has 6 arguments');
  args.forEach((arg, i) => buf.writeBigUInt64LE(BigInt(arg) & U64_MASK, 16 + 8 * i));
  return buf;
}

/** Throws if the kernel would refuse the program (bpf_check_classic + seccomp checks). */
export function validateProgram(insns: readonly Insn[]): void {
  if (insns.length === 0 || insns.length > MAX_INSNS) throw new Error(`bad length ${insns.length}`);
  insns.forEach((insn, pc) => {
    const after = pc + 1;
    switch (insn.code) {
      case BPF.LD_W_ABS:
        if (insn.k >= DATA_SIZE || insn.k % 4 !== 0) throw new Error(`pc ${pc}: bad load offset ${insn.k}`);
        break;
      case BPF.ALU_AND_K:
      case BPF.RET_K:
        break;
      case BPF.JA:
        if (after + insn.k >= insns.length) throw new Error(`pc ${pc}: ja out of range`);
        break;
      case BPF.JEQ_K:
      case BPF.JGT_K:
      case BPF.JGE_K:
      case BPF.JSET_K:
        if (after + Math.max(insn.jt, insn.jf) >= insns.length) {
          throw new Error(`pc ${pc}: conditional jump out of range`);
        }
        break;
      default:
        throw new Error(`pc ${pc}: unsupported opcode 0x${insn.code.toString(16)}`);
    }
  });
  if (insns[insns.length - 1]?.code !== BPF.RET_K) throw new Error('program does not end with ret');
}

/** Runs the filter; returns the SECCOMP_RET_* value (unsigned 32-bit). */
export function runFilter(filter: Buffer, data: SeccompData): number {
  const insns = decode(filter);
  validateProgram(insns);
  const mem = seccompDataBytes(data);
  let a = 0;
  let pc = 0;
  // Jumps only go forward, so this terminates after at most insns.length steps.
  for (;;) {
    const insn = insns[pc];
    if (insn === undefined) throw new Error(`pc ${pc}: fell off the end`);
    pc += 1;
    const cond = (taken: boolean): void => {
      pc += taken ? insn.jt : insn.jf;
    };
    switch (insn.code) {
      case BPF.LD_W_ABS:
        a = mem.readUInt32LE(insn.k);
        break;
      case BPF.ALU_AND_K:
        a = (a & insn.k) >>> 0;
        break;
      case BPF.JA:
        pc += insn.k;
        break;
      case BPF.JEQ_K:
        cond(a === insn.k);
        break;
      case BPF.JGT_K:
        cond(a > insn.k);
        break;
      case BPF.JGE_K:
        cond(a >= insn.k);
        break;
      case BPF.JSET_K:
        cond((a & insn.k) !== 0);
        break;
      case BPF.RET_K:
        return insn.k >>> 0;
      default:
        throw new Error(`pc ${pc - 1}: unsupported opcode 0x${insn.code.toString(16)}`);
    }
  }
}
