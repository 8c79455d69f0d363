/**
 * Differential runs: the same config, each runtime on its own copy of the
 * bundle, run in the foreground one after the other; and the normalisers that
 * make what the two containers saw comparable (mount ids, device numbers, peer
 * group numbers, temp paths and container ids differ by construction).
 */
import fs from 'node:fs';
import { makeBundle, uniqueId, type Bundle } from './bundle.js';
import type { Runtime, RunResult } from './runtime.js';
import type { Spec } from '../../packages/runc/src/spec/types.js';

export interface SideResult extends RunResult {
  id: string;
  bundle: Bundle;
}

export interface BothResult {
  berth: SideResult;
  runc: SideResult;
}

export interface Pair {
  berth: Runtime;
  runc: Runtime;
  tmp: string;
}

/** Runs `run --bundle <copy> <id>` in each runtime; outputs get ids and bundle paths replaced. */
export function runBoth(pair: Pair, args: string[], mutate?: (s: Spec) => void, prepare?: (b: Bundle) => void): BothResult {
  const side = (rt: Runtime, tag: string): SideResult => {
    const b = makeBundle(pair.tmp, args, mutate);
    prepare?.(b);
    const id = uniqueId(tag);
    const r = rt.run(['run', '--bundle', b.dir, id]);
    const clean = (s: string) => s.replaceAll(b.dir, '<bundle>').replaceAll(id, '<id>');
    return { id, bundle: b, status: r.status, stdout: clean(r.stdout), stderr: clean(r.stderr) };
  };
  return { runc: side(pair.runc, 'dr'), berth: side(pair.berth, 'db') };
}

/**
 * One mountinfo line without what differs between any two mount namespaces:
 * "root mountpoint options [propagation] - fstype source superoptions", with
 * mount and parent ids and major:minor dropped and peer group numbers removed
 * ("shared:17" -> "shared").
 */
export function normaliseMountinfo(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const sep = line.indexOf(' - ');
      const pre = line.slice(0, sep).split(' ');
      const post = line.slice(sep + 3);
      const optional = pre.slice(6).map((o) => o.replace(/:\d+$/, ''));
      return [pre[3], pre[4], pre[5], ...optional, '-', post].join(' ');
    });
}

/** The cgroup the container's init is in, per v1 controller, from /proc/<pid>/cgroup. */
export function procCgroups(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, ctrls, p] = line.split(':');
    if (ctrls === undefined || p === undefined) continue;
    for (const c of ctrls.split(',')) out.set(c, p);
  }
  return out;
}

/** Our own cgroup in a v1 hierarchy, e.g. "/" or "/process_api/x" (relative cgroupsPaths live below it). */
export function ownCgroup(controller: string): string {
  return procCgroups(process.pid).get(controller) ?? '/';
}

/** Enough for busybox sh, ls, grep, hostname and for both runtimes' last steps before execve. */
export const SH_SYSCALLS = [
  'execve', 'execveat', 'brk', 'arch_prctl', 'set_tid_address', 'set_robust_list', 'rseq', 'prlimit64', 'getrlimit',
  'mmap', 'munmap', 'mprotect', 'mremap', 'madvise', 'read', 'write', 'readv', 'writev', 'pread64', 'pwrite64',
  'open', 'openat', 'close', 'close_range', 'fstat', 'newfstatat', 'stat', 'lstat', 'statx', 'fstatfs', 'statfs',
  'getpid', 'getppid', 'gettid', 'getuid', 'geteuid', 'getgid', 'getegid', 'getgroups', 'getresuid', 'getresgid',
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigsuspend', 'sigaltstack', 'ioctl', 'fcntl', 'dup', 'dup2',
  'dup3', 'clone', 'clone3', 'fork', 'vfork', 'wait4', 'waitid', 'exit', 'exit_group', 'getcwd', 'chdir', 'fchdir',
  'uname', 'readlink', 'readlinkat', 'access', 'faccessat', 'faccessat2', 'pipe', 'pipe2', 'lseek', 'getdents64',
  'futex', 'getrandom', 'sysinfo', 'poll', 'ppoll', 'select', 'pselect6', 'nanosleep', 'clock_nanosleep',
  'clock_gettime', 'gettimeofday', 'time', 'kill', 'tgkill', 'setpgid', 'getpgid', 'getpgrp', 'getsid', 'setsid',
  'umask', 'sched_yield', 'sched_getaffinity', 'capget', 'capset', 'prctl', 'setgroups', 'setresuid', 'setresgid',
  'setuid', 'setgid', 'fchown', 'fchmod', 'socket', 'connect', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'restart_syscall',
];
