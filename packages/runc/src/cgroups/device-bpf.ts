/**
 * cgroup v2 device rules as an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE), the
 * way the kernel wants them on cgroup2, which has no devices.allow file.
 *
 * The program sees struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
 * u32 minor; } with access_type = (access << 16) | type, type 1 = block,
 * 2 = char; access bits 1 = mknod, 2 = read, 4 = write. Rules are checked last
 * to first (as in v1, a later rule overrides an earlier one): the first rule
 * that matches returns 1 (allow) or 0 (deny); no match denies.
 */
import type { DeviceRule } from './devices.js';

// eBPF opcodes used (include/uapi/linux/bpf.h, bpf_common.h).
const LDX_MEM_W = 0x61; // dst = *(u32 *)(src + off)
const ALU32_AND_K = 0x54; // dst &= imm (32-bit)
const ALU32_RSH_K = 0x74; // dst >>= imm (32-bit)
const ALU64_MOV_K = 0xb7; // dst = imm
const ALU64_MOV_X = 0xbf; // dst = src
const JMP_JNE_K = 0x55; // if dst != imm goto pc + off
const JMP_EXIT = 0x95;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

const TYPE_BITS: Record<'b' | 'c', number> = { b: 1, c: 2 };
const ACCESS_BITS: Record<string, number> = { m: 1, r: 2, w: 4 };

function accessMask(access: string): number {
  return [...access].reduce((m, c) => m | (ACCESS_BITS[c] ?? 0), 0);
}

/** One rule: a chain of "skip to the next rule unless this field matches", then return. */
function ruleBlock(r: DeviceRule): Insn[] {
  const checks: Insn[] = [];
  if (r.type !== 'a') checks.push(insn(JMP_JNE_K, 2, 0, 0, TYPE_BITS[r.type]));
  const mask = accessMask(r.access);
  if (mask !== 7) {
    // Requested access must be a subset of the rule's: (access & ~mask) == 0.
    checks.push(insn(ALU64_MOV_X, 6, 3, 0, 0), insn(ALU32_AND_K, 6, 0, 0, ~mask & 7), insn(JMP_JNE_K, 6, 0, 0, 0));
  }
  if (r.major >= 0) checks.push(insn(JMP_JNE_K, 4, 0, 0, r.major));
  if (r.minor >= 0) checks.push(insn(JMP_JNE_K, 5, 0, 0, r.minor));
  const block = [...checks, insn(ALU64_MOV_K, 0, 0, 0, r.allow ? 1 : 0), insn(JMP_EXIT, 0, 0, 0, 0)];
  // Each jump skips the rest of this block.
  block.forEach((ins, i) => {
    if (ins.code === JMP_JNE_K) ins.off = block.length - (i + 1);
  });
  return block;
}

export function deviceFilterProgram(rules: DeviceRule[]): Buffer {
  const prog: Insn[] = [
    insn(LDX_MEM_W, 2, 1, 0, 0), // r2 = access_type
    insn(ALU32_AND_K, 2, 0, 0, 0xffff), // r2 = type
    insn(LDX_MEM_W, 3, 1, 0, 0),
    insn(ALU32_RSH_K, 3, 0, 0, 16), // r3 = access
    insn(LDX_MEM_W, 4, 1, 4, 0), // r4 = major
    insn(LDX_MEM_W, 5, 1, 8, 0), // r5 = minor
  ];
  let unconditional = false;
  for (const r of [...rules].reverse()) {
    const block = ruleBlock(r);
    prog.push(...block);
    // A rule matching every device always returns: the verifier refuses the
    // unreachable code that would follow it.
    if (block.length === 2) {
      unconditional = true;
      break;
    }
  }
  if (!unconditional) prog.push(insn(ALU64_MOV_K, 0, 0, 0, 0), insn(JMP_EXIT, 0, 0, 0, 0));
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    buf.writeUInt8(p.code, i * 8);
    buf.writeUInt8((p.src << 4) | p.dst, i * 8 + 1);
    buf.writeInt16LE(p.off, i * 8 + 2);
    buf.writeInt32LE(p.imm, i * 8 + 4);
  });
  return buf;
}
