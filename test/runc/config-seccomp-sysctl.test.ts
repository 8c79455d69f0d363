/**
 * linux.seccomp in a real kernel and linux.sysctl, as root, each compared with
 * runc 1.1.5 on the same bundle: errno actions with and without errnoRet,
 * argument conditions, an allow-list profile under which busybox sh runs, and
 * namespaced sysctls (refused, with the field named, when not namespaced).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, tempRoot, uniqueId } from '../helpers/bundle.js';
import { Runtime } from '../helpers/runtime.js';
import { runBoth, SH_SYSCALLS, type Pair } from '../helpers/differential.js';
import type { LinuxSeccomp, Spec } from '../../packages/runc/src/spec/types.js';

let tmp: string;
let pair: Pair;

beforeAll(() => {
  tmp = tempRoot('seccomp');
  pair = { tmp, berth: Runtime.berth(tmp), runc: Runtime.real(tmp) };
});
afterAll(() => {
  pair.berth.cleanup();
  pair.runc.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs in both; expects identical stdout, stderr and status; returns ours. */
function same(script: string, mutate: (s: Spec) => void): { stdout: string; stderr: string; status: number | null } {
  const r = runBoth(pair, ['sh', '-c', script], mutate);
  expect(r.berth.stdout).toBe(r.runc.stdout);
  expect(r.berth.stderr).toBe(r.runc.stderr);
  expect(r.berth.status).toBe(r.runc.status);
  return r.berth;
}

const X86 = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
const seccomp = (profile: LinuxSeccomp) => (s: Spec) => { s.linux!.seccomp = profile; };

describe('seccomp', () => {
  it('returns EPERM for SCMP_ACT_ERRNO, errnoRet when given, and matches argument conditions', () => {
    const r = same(
      'grep ^Seccomp: /proc/self/status; mkdir /tmp/a; echo mkdir=$?; rmdir /tmp; echo rmdir=$?; linux32 uname -m; echo linux32=$?; linux64 uname -m; echo linux64=$?; ls -d /tmp',
      seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: X86,
        syscalls: [
          { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' },
          { names: ['rmdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
          // personality(PER_LINUX32) is denied, personality(PER_LINUX) is not
          { names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
        ],
      }),
    );
    expect(r.stdout).toBe('Seccomp:\t2\nmkdir=1\nrmdir=1\nlinux32=1\nx86_64\nlinux64=0\n/tmp\n');
    expect(r.stderr).toBe(
      "mkdir: can't create directory '/tmp/a': Operation not permitted\nrmdir: '/tmp': Function not implemented\nlinux32: personality(0x8): Operation not permitted\n",
    );
  });

  it('runs busybox sh with defaultAction SCMP_ACT_ERRNO and an allow list, also without no_new_privs as a non-root user', () => {
    const profile = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: X86, syscalls: [{ names: SH_SYSCALLS, action: 'SCMP_ACT_ALLOW' }] };
    const r = same('echo hi; ls / | wc -l; mount -t tmpfs t /mnt 2>/dev/null; echo mount=$?; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status', seccomp(profile));
    expect(r.stdout).toBe('hi\n12\nmount=1\nNoNewPrivs:\t1\nSeccomp:\t2\n');
    // without no_new_privs the filter is loaded before the switch to the user, so it must allow setresuid & co.
    const r2 = same('id; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status', (s) => {
      seccomp(profile)(s);
      s.process!.noNewPrivileges = false;
      s.process!.user = { uid: 1000, gid: 1000 };
    });
    expect(r2.stdout).toBe('uid=1000 gid=1000\nNoNewPrivs:\t0\nSeccomp:\t2\n');
  });

  it('switches user with the syscalls runc makes (setgid/setuid), so a profile without them fails in both', () => {
    const mutate = (s: Spec) => {
      s.process!.noNewPrivileges = false;
      s.process!.user = { uid: 1000, gid: 1000 };
      s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ERRNO', architectures: X86, syscalls: [{ names: SH_SYSCALLS.filter((n) => n !== 'setgid' && n !== 'setuid'), action: 'SCMP_ACT_ALLOW' }] };
    };
    const r = runBoth(pair, ['id'], mutate);
    expect(r.runc.status).toBe(1);
    expect(r.berth.status).toBe(1);
    expect(r.berth.stderr).toContain('process.user.gid: setgid 1000: operation not permitted');
  });

  it('fails like runc when the allow list lacks what the process needs', () => {
    const r = runBoth(pair, ['sh', '-c', 'echo unreachable'], seccomp({
      defaultAction: 'SCMP_ACT_ERRNO', architectures: X86, syscalls: [{ names: SH_SYSCALLS.filter((n) => n !== 'execve'), action: 'SCMP_ACT_ALLOW' }],
    }));
    expect(r.berth.stdout).toBe('');
    expect(r.runc.stdout).toBe('');
    // the filter is loaded last, so execve itself is what fails, after `start`
    expect(r.berth.stderr).toBe('exec /bin/sh: operation not permitted\n');
    expect(r.berth.stderr).toBe(r.runc.stderr);
    expect(r.berth.status).toBe(1);
    expect(r.runc.status).toBe(1);
  });
});

describe('sysctl', () => {
  it('sets net.ipv4.ip_forward in a new network namespace and kernel.shmmax in a new ipc namespace', () => {
    const hostForward = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const hostShmmax = fs.readFileSync('/proc/sys/kernel/shmmax', 'utf8');
    const r = same('cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax', (s) => {
      s.linux!.sysctl = { 'net.ipv4.ip_forward': hostForward.trim() === '1' ? '0' : '1', 'kernel.shmmax': '123456789' };
    });
    expect(r.stdout).toBe(`${hostForward.trim() === '1' ? '0' : '1'}\n123456789\n`);
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(hostForward);
    expect(fs.readFileSync('/proc/sys/kernel/shmmax', 'utf8')).toBe(hostShmmax);
  });

  const refused: [string, (s: Spec) => void, string][] = [
    ['a sysctl no namespace isolates', (s) => { s.linux!.sysctl = { 'kernel.pid_max': '100000' }; }, 'linux.sysctl["kernel.pid_max"]: sysctl "kernel.pid_max" is not in a separate kernel namespace'],
    ['a net sysctl in the host network namespace', (s) => {
      s.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'network');
    }, 'linux.sysctl["net.ipv4.ip_forward"]: sysctl "net.ipv4.ip_forward" is not allowed in the hosts network namespace'],
    ['an ipc sysctl in the host ipc namespace', (s) => {
      s.linux!.sysctl = { 'kernel.shmmax': '1' };
      s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'ipc');
    }, 'linux.sysctl["kernel.shmmax"]: sysctl "kernel.shmmax" is not allowed as it conflicts with the OCI "ipc" namespace'],
  ];
  for (const [name, mutate, message] of refused) {
    it(`refuses ${name}, naming the field, as runc does`, () => {
      const b = makeBundle(tmp, ['true'], mutate);
      const id = uniqueId('sysctl');
      const r = pair.berth.run(['create', '--bundle', b.dir, id]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(JSON.stringify(message).slice(1, -1));
      expect(pair.berth.run(['state', id]).status).toBe(1);
      const real = runBoth(pair, ['true'], mutate).runc;
      expect(real.status).toBe(1);
    });
  }
});
