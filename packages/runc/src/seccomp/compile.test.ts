import { isBerthError } from '@berth/errors';
import { describe, expect, it } from 'vitest';
import type { LinuxSeccomp, LinuxSyscall } from '../spec/types.js';
import { BPF, decode } from './bpf.js';
import { runFilter, type SeccompData } from './bpf-interpreter.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, compileSeccomp } from './compile.js';
import { SYSCALLS_X86 } from './syscalls-x86.js';
import { SYSCALLS_X32, SYSCALLS_X86_64 } from './syscalls-x86_64.js';

const ALLOW = 0x7fff0000;
const KILL_PROCESS = 0x80000000;
const ERRNO = (e: number): number => 0x00050000 | e;
const AUDIT_ARCH_AARCH64 = 0xc00000b7;

const nr64 = (name: string): number => SYSCALLS_X86_64.get(name) ?? -1;

/** Verdict of `profile` for one call; `nr` may be a name (x86_64 numbering). */
function verdict(profile: LinuxSeccomp, nr: number | string, args: Array<number | bigint> = [], arch = AUDIT_ARCH_X86_64): number {
  const { filter } = compileSeccomp(profile);
  const data: SeccompData = { nr: typeof nr === 'string' ? nr64(nr) : nr, arch, args };
  return runFilter(filter, data);
}

function expectInvalid(profile: LinuxSeccomp, message: string): void {
  try {
    compileSeccomp(profile);
  } catch (err) {
    expect(isBerthError(err, 'InvalidArgument')).toBe(true);
    expect((err as Error).message).toContain(message);
    return;
  }
  throw new Error(`expected an InvalidArgument error containing ${message}`);
}

const allowlist = (syscalls: LinuxSyscall[], extra: Partial<LinuxSeccomp> = {}): LinuxSeccomp => ({
  defaultAction: 'SCMP_ACT_ERRNO',
  syscalls,
  ...extra,
});

describe('syscall tables', () => {
  it('have the kernel numbering', () => {
    expect([nr64('read'), nr64('clone3'), nr64('futex_waitv'), nr64('cachestat'), nr64('mseal')]).toEqual([0, 435, 449, 451, 462]);
    expect([SYSCALLS_X86.get('read'), SYSCALLS_X86.get('socketcall'), SYSCALLS_X86.get('clone3')]).toEqual([3, 102, 435]);
    expect(SYSCALLS_X32.get('read')).toBe(0x40000000);
    expect(SYSCALLS_X32.get('rt_sigaction')).toBe(0x40000200);
    expect(SYSCALLS_X32.has('uselib')).toBe(false);
    for (const table of [SYSCALLS_X86_64, SYSCALLS_X86, SYSCALLS_X32]) {
      expect(new Set(table.values()).size).toBe(table.size); // no two names share a number
    }
  });
});

describe('actions', () => {
  it('applies the default action, with EPERM or defaultErrnoRet for ERRNO', () => {
    expect(verdict({ defaultAction: 'SCMP_ACT_ALLOW' }, 'openat')).toBe(ALLOW);
    expect(verdict({ defaultAction: 'SCMP_ACT_ERRNO' }, 'openat')).toBe(ERRNO(1));
    expect(verdict({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 }, 'openat')).toBe(ERRNO(38));
  });

  it('maps every action to its SECCOMP_RET value', () => {
    const cases: Array<[string, number | undefined, number]> = [
      ['SCMP_ACT_KILL', undefined, 0],
      ['SCMP_ACT_KILL_THREAD', undefined, 0],
      ['SCMP_ACT_KILL_PROCESS', undefined, KILL_PROCESS],
      ['SCMP_ACT_TRAP', undefined, 0x00030000],
      ['SCMP_ACT_ERRNO', undefined, ERRNO(1)],
      ['SCMP_ACT_ERRNO', 13, ERRNO(13)],
      ['SCMP_ACT_TRACE', undefined, 0x7ff00001],
      ['SCMP_ACT_TRACE', 7, 0x7ff00007],
      ['SCMP_ACT_LOG', undefined, 0x7ffc0000],
    ];
    for (const [action, errnoRet, ret] of cases) {
      const p: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action, errnoRet }] };
      expect(verdict(p, 'mkdir'), action).toBe(ret);
      expect(verdict(p, 'rmdir'), action).toBe(ALLOW);
    }
  });

  it('names the field of a bad action', () => {
    const rules: LinuxSyscall[] = [
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['open'], action: 'SCMP_ACT_FOO' },
    ];
    expectInvalid(allowlist(rules), 'linux.seccomp.syscalls[2].action: unknown action "SCMP_ACT_FOO"');
    expectInvalid({ defaultAction: 'SCMP_ACT_NOPE' }, 'linux.seccomp.defaultAction: unknown action');
    expectInvalid(allowlist([{ names: ['read'], action: 'SCMP_ACT_NOTIFY' }]), 'linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY');
    expectInvalid(allowlist([{ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 70000 }]), 'linux.seccomp.syscalls[0].errnoRet');
  });
});

describe('rules', () => {
  it('allows listed syscalls and applies the default to the rest', () => {
    const p = allowlist([{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }]);
    expect(verdict(p, 'read')).toBe(ALLOW);
    expect(verdict(p, 'write')).toBe(ALLOW);
    expect(verdict(p, 'openat')).toBe(ERRNO(1));
    expect(verdict(p, 0x3fffffff)).toBe(ERRNO(1));
  });

  it('warns about names unknown for every listed architecture and skips them', () => {
    const p = allowlist([{ names: ['read', 'no_such_call', 'socketcall'], action: 'SCMP_ACT_ALLOW' }]);
    const { warnings } = compileSeccomp(p);
    expect(warnings).toEqual([expect.stringContaining('linux.seccomp.syscalls[0].names[1]: unknown syscall "no_such_call"'), expect.stringContaining('"socketcall"')]);
    expect(verdict(p, 'read')).toBe(ALLOW);
    // socketcall exists on i386: no warning once SCMP_ARCH_X86 is listed.
    const withX86 = compileSeccomp({ ...p, architectures: ['SCMP_ARCH_X86'] });
    expect(withX86.warnings).toHaveLength(1);
  });

  it('tries several rules for one syscall in order, first match wins', () => {
    const p = allowlist([
      { names: ['write'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
      { names: ['write'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 3, op: 'SCMP_CMP_LE' }] },
      { names: ['write'], action: 'SCMP_ACT_LOG' },
      { names: ['write'], action: 'SCMP_ACT_TRAP' }, // unreachable after an unconditional rule
    ]);
    expect(verdict(p, 'write', [2])).toBe(ERRNO(5));
    expect(verdict(p, 'write', [1])).toBe(ALLOW);
    expect(verdict(p, 'write', [4])).toBe(0x7ffc0000);
  });

  it('falls back to the default when no rule for the syscall matches', () => {
    const p = allowlist([{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }]);
    expect(verdict(p, 'personality', [8])).toBe(ALLOW);
    expect(verdict(p, 'personality', [9])).toBe(ERRNO(1));
  });

  it('drops rules whose action is the default one, like runc', () => {
    const p = allowlist([
      { names: ['write'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['write'], action: 'SCMP_ACT_ALLOW' },
    ]);
    expect(verdict(p, 'write', [1])).toBe(ALLOW);
  });

  it('ANDs the conditions of one rule, also on the same argument', () => {
    const p = allowlist([
      {
        names: ['mmap'],
        action: 'SCMP_ACT_ALLOW',
        args: [
          { index: 2, value: 10, op: 'SCMP_CMP_GE' },
          { index: 2, value: 20, op: 'SCMP_CMP_LE' },
          { index: 5, value: 0, op: 'SCMP_CMP_EQ' },
        ],
      },
    ]);
    expect(verdict(p, 'mmap', [0, 0, 15, 0, 0, 0])).toBe(ALLOW);
    expect(verdict(p, 'mmap', [0, 0, 15, 0, 0, 1])).toBe(ERRNO(1));
    expect(verdict(p, 'mmap', [0, 0, 9])).toBe(ERRNO(1));
    expect(verdict(p, 'mmap', [0, 0, 21])).toBe(ERRNO(1));
    expect(verdict(p, 'mmap', [0, 0, 0x1_0000_000f])).toBe(ERRNO(1));
  });
});

describe('argument comparisons (64-bit, unsigned)', () => {
  const values = [0, 1, 0x7fffffff, 0xffffffff, 0x1_0000_0000, 0x1_0000_0001, 0x1_ffff_ffff, 0x2_0000_0000, Number.MAX_SAFE_INTEGER];
  const args = [...values.map(BigInt), 0x8000_0000_0000_0000n, (1n << 64n) - 1n];
  const ops: Record<string, (a: bigint, v: bigint) => boolean> = {
    SCMP_CMP_EQ: (a, v) => a === v,
    SCMP_CMP_NE: (a, v) => a !== v,
    SCMP_CMP_LT: (a, v) => a < v,
    SCMP_CMP_LE: (a, v) => a <= v,
    SCMP_CMP_GT: (a, v) => a > v,
    SCMP_CMP_GE: (a, v) => a >= v,
  };

  for (const [op, holds] of Object.entries(ops)) {
    it(op, () => {
      for (const value of values) {
        const { filter } = compileSeccomp(allowlist([{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value, op }] }]));
        for (const arg of args) {
          const got = runFilter(filter, { nr: nr64('ioctl'), arch: AUDIT_ARCH_X86_64, args: [0, arg] });
          expect(got, `${arg} ${op} ${value}`).toBe(holds(arg, BigInt(value)) ? ALLOW : ERRNO(1));
        }
      }
    });
  }

  it('SCMP_CMP_MASKED_EQ', () => {
    const cases: Array<[number, number]> = [
      [0xff, 0x12],
      [0x1_0000_0000, 0x1_0000_0000],
      [0x1_0000_0000, 0],
      [0x3_0000_00f0, 0x1_0000_0010],
    ];
    for (const [mask, expected] of cases) {
      const arg0 = { index: 0, value: mask, valueTwo: expected, op: 'SCMP_CMP_MASKED_EQ' };
      const { filter } = compileSeccomp(allowlist([{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [arg0] }]));
      for (const arg of [...args, 0x12n, 0x1_0000_0012n, 0x1_0000_0010n, 0x5_0000_001fn]) {
        const got = runFilter(filter, { nr: nr64('clone'), arch: AUDIT_ARCH_X86_64, args: [arg] });
        expect(got, `${arg} & ${mask} == ${expected}`).toBe((arg & BigInt(mask)) === BigInt(expected) ? ALLOW : ERRNO(1));
      }
    }
  });

  it('rejects bad indexes, operators and values naming the field', () => {
    const rule = (arg: { index: number; value: number; op: string }): LinuxSeccomp =>
      allowlist([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }, arg] }]);
    expectInvalid(rule({ index: 6, value: 0, op: 'SCMP_CMP_EQ' }), 'linux.seccomp.syscalls[0].args[1].index');
    expectInvalid(rule({ index: 0, value: 0, op: 'SCMP_CMP_XX' }), 'linux.seccomp.syscalls[0].args[1].op');
    expectInvalid(rule({ index: 0, value: 2 ** 60, op: 'SCMP_CMP_EQ' }), 'linux.seccomp.syscalls[0].args[1].value');
    expectInvalid(rule({ index: 0, value: -1, op: 'SCMP_CMP_EQ' }), 'linux.seccomp.syscalls[0].args[1].value');
  });
});

describe('architectures', () => {
  const p = allowlist([
    { names: ['read'], action: 'SCMP_ACT_ALLOW' },
    { names: ['socketcall'], action: 'SCMP_ACT_ALLOW' },
    { names: ['fcntl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 5, op: 'SCMP_CMP_EQ' }] },
  ]);

  it('kills calls from architectures that are not allowed', () => {
    expect(verdict(p, 'read', [], AUDIT_ARCH_AARCH64)).toBe(KILL_PROCESS);
    expect(verdict(p, 3, [], AUDIT_ARCH_I386)).toBe(KILL_PROCESS);
    expect(verdict(p, 0x40000000, [], AUDIT_ARCH_X86_64)).toBe(KILL_PROCESS); // x32 read
    expect(verdict(p, -1, [], AUDIT_ARCH_X86_64)).toBe(KILL_PROCESS);
  });

  it('uses i386 numbering for SCMP_ARCH_X86, comparing the low argument word', () => {
    const x86 = { ...p, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'] };
    expect(verdict(x86, 3, [], AUDIT_ARCH_I386)).toBe(ALLOW); // i386 read
    expect(verdict(x86, 102, [], AUDIT_ARCH_I386)).toBe(ALLOW); // socketcall
    expect(verdict(x86, 0, [], AUDIT_ARCH_I386)).toBe(ERRNO(1)); // restart_syscall
    expect(verdict(x86, 3, [], AUDIT_ARCH_X86_64)).toBe(ERRNO(1)); // x86_64 close
    expect(verdict(x86, SYSCALLS_X86.get('fcntl') ?? -1, [0, 0x1_0000_0005n], AUDIT_ARCH_I386)).toBe(ALLOW);
    expect(verdict(x86, 'fcntl', [0, 0x1_0000_0005n], AUDIT_ARCH_X86_64)).toBe(ERRNO(1));
    expect(verdict(x86, 'read', [], AUDIT_ARCH_AARCH64)).toBe(KILL_PROCESS);
  });

  it('uses x32 numbering for SCMP_ARCH_X32', () => {
    const x32 = allowlist([{ names: ['read', 'rt_sigaction'], action: 'SCMP_ACT_ALLOW' }], { architectures: ['SCMP_ARCH_X32'] });
    expect(verdict(x32, 0x40000000)).toBe(ALLOW);
    expect(verdict(x32, 0x40000200)).toBe(ALLOW); // x32 rt_sigaction
    expect(verdict(x32, 0x4000000d)).toBe(ERRNO(1)); // x86_64's number for it is not x32's
    expect(verdict(x32, 'rt_sigaction')).toBe(ALLOW);
    expect(verdict(x32, -1)).toBe(ERRNO(1));
  });

  it('rejects unknown architecture names and accepts foreign known ones', () => {
    expectInvalid({ ...p, architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_VAX'] }, 'linux.seccomp.architectures[1]');
    expect(verdict({ ...p, architectures: ['SCMP_ARCH_AARCH64'] }, 'read')).toBe(ALLOW);
  });
});

describe('flags', () => {
  it('maps flag names and rejects unknown ones', () => {
    expect(compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' }).flags).toBe(0);
    const flags = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'];
    expect(compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags }).flags).toBe(7);
    expect(compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG'] }).flags).toBe(2);
    expectInvalid({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_BOGUS'] }, 'linux.seccomp.flags');
  });
});

describe('program size', () => {
  const names = [...SYSCALLS_X86_64.keys()];
  const arches = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
  const hasFarJumps = (filter: Buffer): boolean => decode(filter).some((i) => i.code === BPF.JA && i.k > 255);

  it('handles 400 conditional rules (long jumps); the last one still matches', () => {
    const rules: LinuxSyscall[] = Array.from({ length: 400 }, (_, i) => ({
      names: [names[i % names.length] ?? 'read'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: i + 1,
      args: [{ index: 0, value: i, op: 'SCMP_CMP_EQ' }],
    }));
    // Native only: with every rule distinct, three ABIs would exceed 4096 instructions.
    const { filter } = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: rules });
    // The chain layout needs no far jump here, but the match is ~2800 instructions in.
    expect(filter.length / 8).toBeGreaterThan(2000);
    rules.forEach((rule, i) => {
      const name = rule.names[0] ?? '';
      expect(runFilter(filter, { nr: nr64(name), arch: AUDIT_ARCH_X86_64, args: [i] })).toBe(ERRNO(i + 1));
      expect(runFilter(filter, { nr: nr64(name), arch: AUDIT_ARCH_X86_64, args: [1000] })).toBe(ALLOW);
    });
    expect(runFilter(filter, { nr: 3, arch: AUDIT_ARCH_I386, args: [0] })).toBe(KILL_PROCESS);
  });

  it('jumps over one syscall with a body longer than 255 instructions', () => {
    const rules: LinuxSyscall[] = Array.from({ length: 120 }, (_, i) => ({
      names: ['ioctl'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 1, value: 0x1_0000_0000 + i, op: 'SCMP_CMP_EQ' }],
    }));
    rules.push({ names: ['write'], action: 'SCMP_ACT_ALLOW' });
    const { filter } = compileSeccomp(allowlist(rules));
    expect(hasFarJumps(filter)).toBe(true);
    expect(verdict(allowlist(rules), 'write')).toBe(ALLOW);
    expect(verdict(allowlist(rules), 'ioctl', [0, 0x1_0000_0077])).toBe(ALLOW);
    expect(verdict(allowlist(rules), 'ioctl', [0, 0x0_0000_0077])).toBe(ERRNO(1));
  });

  it('fits a Docker-sized allowlist for three ABIs', () => {
    const allowed = names.slice(0, 350);
    const p = allowlist(
      [
        { names: allowed, action: 'SCMP_ACT_ALLOW' },
        { names: [...SYSCALLS_X86.keys()].filter((n) => !SYSCALLS_X86_64.has(n)), action: 'SCMP_ACT_ALLOW' },
      ],
      { architectures: arches, defaultErrnoRet: 38 },
    );
    const { filter, warnings } = compileSeccomp(p);
    expect(warnings).toEqual([]);
    expect(filter.length / 8).toBeLessThan(2000);
    for (const name of names) {
      const got = runFilter(filter, { nr: nr64(name), arch: AUDIT_ARCH_X86_64 });
      expect(got, name).toBe(allowed.includes(name) ? ALLOW : ERRNO(38));
    }
    // The jumps to the i386 and x32 sections cross the whole x86_64 chain.
    for (const [name, nr] of SYSCALLS_X86) expect(runFilter(filter, { nr, arch: AUDIT_ARCH_I386 }), name).not.toBe(KILL_PROCESS);
    for (const [name, nr] of SYSCALLS_X32) {
      expect(runFilter(filter, { nr, arch: AUDIT_ARCH_X86_64 }), name).toBe(allowed.includes(name) ? ALLOW : ERRNO(38));
    }
  });

  it('refuses programs over 4096 instructions', () => {
    const rules: LinuxSyscall[] = Array.from({ length: 1100 }, (_, i) => ({
      names: ['read'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: i, op: 'SCMP_CMP_EQ' }],
    }));
    expectInvalid(allowlist(rules), '4096');
  });
});
