/**
 * Classic BPF encoding and a small assembler for seccomp filters.
 *
 * The program is assembled BACKWARDS (last instruction first). Classic BPF only jumps
 * forward, so every jump target already exists when the jump is emitted and its exact
 * distance is known. That makes long jumps simple: a conditional jump (jt/jf are 8-bit
 * offsets) whose target is more than 255 instructions away is routed through a `ja`
 * (32-bit offset) trampoline placed right after it. No relaxation pass, no patching.
 */

import { invalidArgument } from '@berth/errors';

/** Opcodes (linux/filter.h, linux/bpf_common.h). Only what the compiler emits. */
export const BPF = {
  LD_W_ABS: 0x20, // BPF_LD | BPF_W | BPF_ABS: A = *(u32 *)(data + k)
  ALU_AND_K: 0x54, // BPF_ALU | BPF_AND | BPF_K: A &= k
  JA: 0x05, // BPF_JMP | BPF_JA: pc += k
  JEQ_K: 0x15, // BPF_JMP | BPF_JEQ | BPF_K: pc += (A == k) ? jt : jf
  JGT_K: 0x25, // BPF_JMP | BPF_JGT | BPF_K (unsigned)
  JGE_K: 0x35, // BPF_JMP | BPF_JGE | BPF_K (unsigned)
  JSET_K: 0x45, // BPF_JMP | BPF_JSET | BPF_K: (A & k) != 0
  RET_K: 0x06, // BPF_RET | BPF_K
} as const;

export type JumpOp = typeof BPF.JEQ_K | typeof BPF.JGT_K | typeof BPF.JGE_K | typeof BPF.JSET_K;

/** BPF_MAXINSNS: the kernel refuses longer filters. */
export const MAX_INSNS = 4096;
/** Size of one struct sock_filter. */
export const INSN_SIZE = 8;

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/**
 * A position in the program, counted from its END (0 = last instruction). Stable while
 * more instructions are prepended, which is what makes backward assembly work.
 */
export type Label = number;

const MAX_COND_JUMP = 255;

export class BackwardAssembler {
  /** Instructions in reverse order: reversed[0] is the program's last instruction. */
  private readonly reversed: Insn[] = [];

  /** Label of the instruction emitted most recently, i.e. the current first one. */
  get head(): Label {
    if (this.reversed.length === 0) throw new Error('bpf: empty program has no head');
    return this.reversed.length - 1;
  }

  get length(): number {
    return this.reversed.length;
  }

  /** Offset a jump emitted next would need to reach `target`. */
  distanceTo(target: Label): number {
    const d = this.reversed.length - target - 1;
    if (target < 0 || d < 0) throw new Error(`bpf: bad jump target ${target}`);
    return d;
  }

  private push(code: number, jt: number, jf: number, k: number): Label {
    this.reversed.push({ code, jt, jf, k: k >>> 0 });
    return this.head;
  }

  ret(k: number): Label {
    return this.push(BPF.RET_K, 0, 0, k);
  }

  /** Unconditional jump; free (no instruction) when `target` is already next. */
  goto(target: Label): Label {
    if (this.reversed.length > 0 && target === this.head) return target;
    return this.push(BPF.JA, 0, 0, this.distanceTo(target));
  }

  /** A = 32-bit word at `offset` of struct seccomp_data, then continue at `next`. */
  load(offset: number, next: Label): Label {
    this.goto(next);
    return this.push(BPF.LD_W_ABS, 0, 0, offset);
  }

  /** A &= k, then continue at `next`. */
  and(k: number, next: Label): Label {
    this.goto(next);
    return this.push(BPF.ALU_AND_K, 0, 0, k);
  }

  /** if (A op k) goto jt else goto jf, inserting ja trampolines for far targets. */
  jump(op: JumpOp, k: number, jt: Label, jf: Label): Label {
    if (jt === jf) return this.goto(jt);
    // Trampolines go right after the jump: [jcond] [ja jt]? [ja jf]?. Emitting jf's
    // first (backwards) puts it last; each distance is checked after the previous
    // trampoline was added, since that one pushed the targets one further away.
    let f = jf;
    if (this.distanceTo(f) > MAX_COND_JUMP) f = this.push(BPF.JA, 0, 0, this.distanceTo(f));
    let t = jt;
    if (this.distanceTo(t) > MAX_COND_JUMP) t = this.push(BPF.JA, 0, 0, this.distanceTo(t));
    return this.push(op, this.distanceTo(t), this.distanceTo(f), k);
  }

  /** The program in execution order. */
  instructions(): Insn[] {
    return [...this.reversed].reverse();
  }
}

/** struct sock_filter[] as the kernel reads it: u16 code, u8 jt, u8 jf, u32 k (LE). */
export function encode(insns: readonly Insn[]): Buffer {
  if (insns.length > MAX_INSNS) {
    throw invalidArgument(
      `linux.seccomp: the compiled filter has ${insns.length} instructions, ` +
        `more than the kernel's limit of ${MAX_INSNS}; reduce the number of rules`,
    );
  }
  const buf = Buffer.alloc(insns.length * INSN_SIZE);
  insns.forEach((insn, i) => {
    const o = i * INSN_SIZE;
    buf.writeUInt16LE(insn.code, o);
    buf.writeUInt8(insn.jt, o + 2);
    buf.writeUInt8(insn.jf, o + 3);
    buf.writeUInt32LE(insn.k >>> 0, o + 4);
  });
  return buf;
}

/** Inverse of encode (used by tests and for debugging dumps). */
export function decode(buf: Buffer): Insn[] {
  if (buf.length % INSN_SIZE !== 0) throw new Error('bpf: length is not a multiple of 8');
  const out: Insn[] = [];
  for (let o = 0; o < buf.length; o += INSN_SIZE) {
    out.push({
      code: buf.readUInt16LE(o),
      jt: buf.readUInt8(o + 2),
      jf: buf.readUInt8(o + 3),
      k: buf.readUInt32LE(o + 4),
    });
  }
  return out;
}
