/**
 * Docker's default seccomp profile (moby/profiles seccomp v0.2.3, as facts) in
 * berthd's own form: an allowlist with rules that apply only for some
 * capabilities, architectures or kernels. seccomp.ts turns it (or a user's
 * profile in the same model) into the OCI section for one container.
 */

/** A condition on one syscall argument (OCI LinuxSeccompArg). */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

/** When a rule applies: every listed cap held, the daemon's arch listed, kernel >= minKernel. */
export interface RuleFilter {
  caps?: readonly string[];
  /** moby's arch names: amd64, x86, x32, arm, arm64, s390x, ... */
  arches?: readonly string[];
  /** "<kernel>.<major>", e.g. "4.8". */
  minKernel?: string;
}

export interface ProfileRule {
  names: readonly string[];
  action: string;
  errnoRet?: number;
  args?: readonly SeccompArg[];
  includes?: RuleFilter;
  excludes?: RuleFilter;
}

export interface ArchGroup {
  arch: string;
  subArches: readonly string[];
}

export interface DockerProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  /** Used as is when set; otherwise the archMap entry of the daemon's arch. */
  architectures?: readonly string[];
  archMap?: readonly ArchGroup[];
  rules: readonly ProfileRule[];
}

const EPERM = 1;
const ENOSYS = 38;

// Address families (linux/socket.h): AF_ALG and AF_VSOCK sockets are refused.
const AF_ALG = 38;
const AF_NFC = 39;
const AF_VSOCK = 40;

// personality(2) personas a container may switch to; 0xffffffff only queries.
const PER_LINUX = 0x0;
const PER_LINUX32 = 0x8;
const UNAME26 = 0x20000;
const PERSONALITY_QUERY = 0xffffffff;

/** CLONE_NEWNS | CLONE_NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

const words = (text: string): string[] => text.trim().split(/\s+/);
const allow = (names: string, includes?: RuleFilter): ProfileRule => ({
  names: words(names),
  action: 'SCMP_ACT_ALLOW',
  ...(includes ? { includes } : {}),
});
const allowIfArg = (names: string, index: number, op: string, value: number, excludes?: RuleFilter): ProfileRule => ({
  names: words(names),
  action: 'SCMP_ACT_ALLOW',
  args: [{ index, value, op }],
  ...(excludes ? { excludes } : {}),
});
const withCap = (cap: string, names: string): ProfileRule => allow(names, { caps: [cap] });

/** Calls every container may make, whatever its capabilities. */
const baseline = `
  accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown chown32 clock_adjtime
  clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
  clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1
  epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
  exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2
  fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat
  fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait
  futex_waitv futex_wake futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid
  getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom
  getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname getsockopt
  get_thread_area gettid gettimeofday getuid getuid32 getxattr getxattrat inotify_add_watch inotify_init
  inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents io_pgetevents io_pgetevents_time64
  ioprio_get ioprio_set io_setup io_submit ipc kill landlock_add_rule landlock_create_ruleset
  landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listmount listxattr listxattrat llistxattr
  _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret
  mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open
  mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap mseal msgctl msgget
  msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat _newselect open openat
  openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64
  prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read
  readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr
  removexattrat rename renameat renameat2 restart_syscall riscv_hwprobe rmdir rseq rt_sigaction rt_sigpending
  rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64
  rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam sched_get_priority_max sched_get_priority_min
  sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr
  sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop semtimedop_time64
  send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32
  setgroups setgroups32 setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid
  setresuid32 setreuid setreuid32 setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address
  setuid setuid32 setxattr setxattrat shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4
  sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64 statmount statx symlink symlinkat
  sync sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime
  timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime
  timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat uretprobe utime
  utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev
`;

export const defaultProfile: DockerProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: EPERM,
  archMap: [
    { arch: 'SCMP_ARCH_X86_64', subArches: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { arch: 'SCMP_ARCH_AARCH64', subArches: ['SCMP_ARCH_ARM'] },
    { arch: 'SCMP_ARCH_MIPS64', subArches: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32'] },
    { arch: 'SCMP_ARCH_MIPS64N32', subArches: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64'] },
    { arch: 'SCMP_ARCH_MIPSEL64', subArches: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64N32'] },
    { arch: 'SCMP_ARCH_MIPSEL64N32', subArches: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64'] },
    { arch: 'SCMP_ARCH_S390X', subArches: ['SCMP_ARCH_S390'] },
    { arch: 'SCMP_ARCH_RISCV64', subArches: [] },
    { arch: 'SCMP_ARCH_LOONGARCH64', subArches: [] },
  ],
  rules: [
    allow(baseline),
    // Before 4.8 ptrace could be used to skip the seccomp filter.
    allow('process_vm_readv process_vm_writev ptrace', { minKernel: '4.8' }),
    allowIfArg('socket', 0, 'SCMP_CMP_LT', AF_ALG),
    allowIfArg('socket', 0, 'SCMP_CMP_EQ', AF_NFC),
    allowIfArg('socket', 0, 'SCMP_CMP_GT', AF_VSOCK),
    allowIfArg('personality', 0, 'SCMP_CMP_EQ', PER_LINUX),
    allowIfArg('personality', 0, 'SCMP_CMP_EQ', PER_LINUX32),
    allowIfArg('personality', 0, 'SCMP_CMP_EQ', UNAME26),
    allowIfArg('personality', 0, 'SCMP_CMP_EQ', UNAME26 | PER_LINUX32),
    allowIfArg('personality', 0, 'SCMP_CMP_EQ', PERSONALITY_QUERY),
    // Architecture-specific calls.
    allow('sync_file_range2 swapcontext', { arches: ['ppc64le'] }),
    allow('arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls', { arches: ['arm', 'arm64'] }),
    allow('arch_prctl', { arches: ['amd64', 'x32'] }),
    allow('modify_ldt', { arches: ['amd64', 'x32', 'x86'] }),
    allow('s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr', { arches: ['s390', 's390x'] }),
    allow('riscv_flush_icache', { arches: ['riscv64'] }),
    // Calls the kernel itself limits to a capability: allowed only when it is held.
    withCap('CAP_DAC_READ_SEARCH', 'open_by_handle_at'),
    withCap(
      'CAP_SYS_ADMIN',
      `bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie lsm_get_self_attr lsm_list_modules
       lsm_set_self_attr mount mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname
       sethostname setns syslog umount umount2 unshare`,
    ),
    // Without CAP_SYS_ADMIN, clone may not create namespaces (s390 swaps clone's first two arguments).
    allowIfArg('clone', 0, 'SCMP_CMP_MASKED_EQ', CLONE_NAMESPACE_FLAGS, { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] }),
    {
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, op: 'SCMP_CMP_MASKED_EQ' }],
      includes: { arches: ['s390', 's390x'] },
      excludes: { caps: ['CAP_SYS_ADMIN'] },
    },
    // clone3's flags sit in memory a filter cannot read: ENOSYS makes libcs fall back to clone.
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    withCap('CAP_SYS_BOOT', 'reboot'),
    withCap('CAP_SYS_CHROOT', 'chroot'),
    withCap('CAP_SYS_MODULE', 'delete_module init_module finit_module'),
    withCap('CAP_SYS_PACCT', 'acct'),
    withCap('CAP_SYS_PTRACE', 'kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace'),
    withCap('CAP_SYS_RAWIO', 'iopl ioperm'),
    withCap('CAP_SYS_TIME', 'settimeofday stime clock_settime clock_settime64'),
    withCap('CAP_SYS_TTY_CONFIG', 'vhangup'),
    withCap('CAP_SYS_NICE', 'get_mempolicy mbind set_mempolicy set_mempolicy_home_node'),
    withCap('CAP_SYSLOG', 'syslog'),
    withCap('CAP_BPF', 'bpf'),
    withCap('CAP_PERFMON', 'perf_event_open'),
  ],
};
