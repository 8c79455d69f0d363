import os from 'node:os';
import { isBerthError } from '@berth/errors';
import { describe, expect, it } from 'vitest';
// berth-runc's own compiler and a BPF interpreter: the profile is judged by the
// filter the runtime would load, not by reading the JSON.
import { runFilter } from '../../../../runc/src/seccomp/bpf-interpreter.js';
import { AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, compileSeccomp } from '../../../../runc/src/seccomp/compile.js';
import { SYSCALLS_X86 } from '../../../../runc/src/seccomp/syscalls-x86.js';
import { SYSCALLS_X86_64 } from '../../../../runc/src/seccomp/syscalls-x86_64.js';
import { allCapabilities } from './capabilities.js';
import { defaultCapabilities } from './defaults.js';
import type { Seccomp } from './oci.js';
import { seccompFor } from './seccomp.js';

const ALLOW = 0x7fff0000;
const ERRNO = (e: number): number => (0x00050000 | e) >>> 0;
const EPERM = ERRNO(1);
const ENOSYS = ERRNO(38);

const CLONE_NEWNS = 0x20000;
const CLONE_NEWUSER = 0x10000000;
const CLONE_THREAD_FLAGS = 0x3d0f00; // what glibc's pthread_create passes
const AF_INET = 2;
const AF_UNIX = 1;
const AF_ALG = 38;
const AF_VSOCK = 40;
const AF_NETLINK = 16;

/** The verdict of the compiled profile for one x86_64 (or i386) call. */
function verdictOf(profile: Seccomp | undefined, name: string, args: number[] = [], i386 = false) {
  if (profile === undefined) throw new Error('no profile');
  const nr = (i386 ? SYSCALLS_X86 : SYSCALLS_X86_64).get(name);
  if (nr === undefined) throw new Error(`unknown syscall ${name}`);
  const { filter } = compileSeccomp(profile);
  return runFilter(filter, { nr, arch: i386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64, args });
}

const kernel = (/^(\d+)\.(\d+)/.exec(os.release()) ?? []).slice(1).map(Number);
const kernelAtLeast48 = (kernel[0] ?? 0) > 4 || (kernel[0] === 4 && (kernel[1] ?? 0) >= 8);

describe('docker default profile', () => {
  const profile = seccompFor(undefined, defaultCapabilities, 'x64');

  it('has docker defaults: EPERM by default, the x86 ABIs of amd64', () => {
    expect(profile?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile?.defaultErrnoRet).toBe(1);
    expect(profile?.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(seccompFor(undefined, defaultCapabilities, 'arm64')?.architectures).toEqual([
      'SCMP_ARCH_AARCH64',
      'SCMP_ARCH_ARM',
    ]);
    expect(seccompFor('builtin', defaultCapabilities, 'x64')).toEqual(profile);
  });

  it('compiles with berth-runc without error', () => {
    for (const caps of [defaultCapabilities, allCapabilities, []]) {
      const compiled = compileSeccomp(seccompFor(undefined, caps, 'x64') ?? { defaultAction: '' });
      expect(compiled.filter.length / 8).toBeGreaterThan(100);
      expect(compiled.filter.length / 8).toBeLessThanOrEqual(4096);
    }
  });

  it('allows the ordinary calls', () => {
    for (const name of ['read', 'write', 'openat', 'execve', 'mmap', 'futex', 'exit_group', 'chown', 'chroot']) {
      expect(verdictOf(profile, name), name).toBe(ALLOW);
    }
    expect(verdictOf(profile, 'chown32', [], true)).toBe(ALLOW);
    expect(verdictOf(profile, 'arch_prctl')).toBe(ALLOW);
  });

  it('refuses privileged calls with EPERM', () => {
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'kexec_load', 'keyctl', 'reboot', 'init_module', 'bpf',
      'acct', 'settimeofday', 'open_by_handle_at', 'kcmp', 'iopl', 'mbind', 'syslog', 'perf_event_open', 'add_key']) {
      expect(verdictOf(profile, name), name).toBe(EPERM);
    }
  });

  it('lets clone create threads and processes, not namespaces; clone3 gets ENOSYS', () => {
    expect(verdictOf(profile, 'clone', [CLONE_THREAD_FLAGS])).toBe(ALLOW);
    expect(verdictOf(profile, 'clone', [0x11])).toBe(ALLOW); // fork: SIGCHLD
    expect(verdictOf(profile, 'clone', [CLONE_NEWNS | 0x11])).toBe(EPERM);
    expect(verdictOf(profile, 'clone', [CLONE_NEWUSER])).toBe(EPERM);
    expect(verdictOf(profile, 'clone3')).toBe(ENOSYS);
    const rule = profile?.syscalls?.find((r) => r.names.includes('clone') && r.args);
    expect(rule?.args).toEqual([{ index: 0, value: 0x7e020000, op: 'SCMP_CMP_MASKED_EQ' }]);
  });

  it('filters socket families and personality', () => {
    expect(verdictOf(profile, 'socket', [AF_INET])).toBe(ALLOW);
    expect(verdictOf(profile, 'socket', [AF_UNIX])).toBe(ALLOW);
    expect(verdictOf(profile, 'socket', [AF_NETLINK])).toBe(ALLOW);
    expect(verdictOf(profile, 'socket', [AF_VSOCK])).toBe(EPERM);
    expect(verdictOf(profile, 'socket', [AF_ALG])).toBe(EPERM);
    expect(verdictOf(profile, 'personality', [0xffffffff])).toBe(ALLOW);
    expect(verdictOf(profile, 'personality', [0x8])).toBe(ALLOW);
    expect(verdictOf(profile, 'personality', [0x0400000])).toBe(EPERM); // ADDR_NO_RANDOMIZE
  });

  it('allows ptrace without CAP_SYS_PTRACE only from kernel 4.8 (minKernel)', () => {
    expect(verdictOf(profile, 'ptrace')).toBe(kernelAtLeast48 ? ALLOW : EPERM);
    expect(verdictOf(profile, 'pidfd_getfd')).toBe(EPERM);
  });

  it('opens calls up by capability', () => {
    const admin = seccompFor(undefined, [...defaultCapabilities, 'CAP_SYS_ADMIN'], 'x64');
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'sethostname', 'bpf', 'clone3']) {
      expect(verdictOf(admin, name), name).toBe(ALLOW);
    }
    expect(verdictOf(admin, 'clone', [CLONE_NEWNS | CLONE_NEWUSER])).toBe(ALLOW);
    expect(verdictOf(admin, 'kexec_load')).toBe(EPERM); // no rule at all

    const ptrace = seccompFor(undefined, [...defaultCapabilities, 'CAP_SYS_PTRACE'], 'x64');
    for (const name of ['ptrace', 'kcmp', 'pidfd_getfd', 'process_vm_readv']) {
      expect(verdictOf(ptrace, name), name).toBe(ALLOW);
    }
    expect(verdictOf(ptrace, 'mount')).toBe(EPERM);

    const noChroot = seccompFor(undefined, defaultCapabilities.filter((c) => c !== 'CAP_SYS_CHROOT'), 'x64');
    expect(verdictOf(noChroot, 'chroot')).toBe(EPERM);
  });

  it('keeps arch-specific rules to their arch', () => {
    const names = (p: Seccomp | undefined) => new Set(p?.syscalls?.flatMap((r) => r.names));
    const amd64 = names(profile);
    expect(amd64.has('arch_prctl') && amd64.has('modify_ldt')).toBe(true);
    expect(amd64.has('set_tls') || amd64.has('s390_runtime_instr')).toBe(false);
    const arm64 = names(seccompFor(undefined, defaultCapabilities, 'arm64'));
    expect(arm64.has('set_tls') && !arm64.has('arch_prctl')).toBe(true);
    const s390x = seccompFor(undefined, defaultCapabilities, 's390x');
    expect(s390x?.syscalls?.find((r) => r.names.includes('clone') && r.args)?.args?.[0]?.index).toBe(1);
  });
});

describe('other profiles', () => {
  it('unconfined means no seccomp section', () => {
    expect(seccompFor('unconfined', defaultCapabilities)).toBeUndefined();
  });

  it('converts a custom docker profile', () => {
    const custom = JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
      flags: ['SECCOMP_FILTER_FLAG_LOG'],
      listenerPath: '/run/none.sock',
      syscalls: [
        { name: 'mkdir', action: 'SCMP_ACT_ERRNO', comment: 'old single-name form' },
        { names: ['chmod', 'fchmod'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        { names: ['fchmodat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        { names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: AF_INET, op: 'SCMP_CMP_EQ' }] },
        { names: ['sethostname'], action: 'SCMP_ACT_ERRNO', excludes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['uname'], action: 'SCMP_ACT_ERRNO', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['getpid'], action: 'SCMP_ACT_ERRNO', includes: { arches: ['arm64'] } },
        { names: ['getppid'], action: 'SCMP_ACT_KILL', includes: { minKernel: '99.0' } },
        { names: ['gettid'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, includes: { minKernel: '3.0' } },
      ],
    });
    const profile = seccompFor(custom, defaultCapabilities, 'x64');
    expect(profile).toEqual({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [
        { names: ['mkdir'], action: 'SCMP_ACT_ERRNO' },
        { names: ['chmod', 'fchmod', 'fchmodat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
        { names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: AF_INET, op: 'SCMP_CMP_EQ' }] },
        { names: ['sethostname'], action: 'SCMP_ACT_ERRNO' },
        { names: ['gettid'], action: 'SCMP_ACT_ERRNO', errnoRet: 5 },
      ],
    });
    expect(verdictOf(profile, 'mkdir')).toBe(EPERM);
    expect(verdictOf(profile, 'fchmodat')).toBe(ERRNO(13));
    expect(verdictOf(profile, 'socket', [AF_INET])).toBe(EPERM);
    expect(verdictOf(profile, 'socket', [AF_UNIX])).toBe(ALLOW);
    expect(verdictOf(profile, 'uname')).toBe(ALLOW);

    const admin = seccompFor(custom, ['CAP_SYS_ADMIN'], 'x64');
    expect(admin?.syscalls?.map((r) => r.names[0])).toEqual(['mkdir', 'chmod', 'socket', 'uname', 'gettid']);
  });

  it('takes architectures as given and treats an empty profile as none', () => {
    const p = seccompFor('{"defaultAction":"SCMP_ACT_LOG","architectures":["SCMP_ARCH_X86_64"]}', [], 'x64');
    expect(p).toEqual({ defaultAction: 'SCMP_ACT_LOG', architectures: ['SCMP_ARCH_X86_64'] });
    expect(seccompFor('{}', [], 'x64')).toBeUndefined();
  });

  const invalid: Array<[string, string]> = [
    ['{"defaultAction": "SCMP_ACT_ERRNO",', 'Decoding seccomp profile failed: '],
    ['not json', 'Decoding seccomp profile failed: '],
    ['[]', 'Decoding seccomp profile failed: '],
    ['{"defaultAction":"SCMP_ACT_NOPE"}', 'Decoding seccomp profile failed: defaultAction: unknown value'],
    ['{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_MAYBE"}]}', 'syscalls[0].action'],
    ['{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]}', 'not supported'],
    ['{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}', 'op'],
    ['{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_VAX"]}', 'architectures[0]'],
    ['{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}', "both 'architectures' and 'archMap'"],
    ['{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}', "both 'name' and 'names'"],
    ['{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}]}', 'invalid kernel version'],
  ];
  it.each(invalid)('rejects %s', (text, message) => {
    try {
      seccompFor(text, defaultCapabilities, 'x64');
    } catch (err) {
      expect(isBerthError(err, 'InvalidArgument')).toBe(true);
      expect((err as Error).message).toContain(message);
      return;
    }
    throw new Error('expected InvalidArgument');
  });
});
