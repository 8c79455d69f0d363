// The container side of a launch: everything between clone() and execve().
//
// This code runs in a child cloned from the multi-threaded Node process. Only the
// calling thread exists in the child, so any lock another thread held (malloc's,
// stdio's, V8's) stays held forever: the child must use raw syscalls and
// async-signal-safe functions only. No malloc, no stdio, no glibc set*id()
// wrappers (they signal sibling threads that do not exist here and hang).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "plan.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace berth {
namespace {

const Plan* P;                 // the plan, set once on entry
int g_host_pid = 0;            // init's pid as the host sees it (for hook state)
int g_fifo = -1;               // O_PATH fd of the exec fifo, opened before any setns/unshare
char g_path[4096];             // scratch path buffer (the child is single-threaded)
char g_exe[4096];              // the resolved executable
char g_state[65536];           // hook state JSON

size_t slen(const char* s) { return s ? strlen(s) : 0; }

void send_msg(int32_t type, int32_t step, int32_t err, int32_t index, int32_t value,
              const char* detail, int32_t value2 = 0) {
  SyncMsg m;
  memset(&m, 0, sizeof m);
  m.type = type; m.step = step; m.err = err; m.index = index; m.value = value; m.value2 = value2;
  if (detail) {
    size_t n = slen(detail);
    if (n >= sizeof m.detail) n = sizeof m.detail - 1;
    memcpy(m.detail, detail, n);
  }
  // MSG_NOSIGNAL: the parent may be gone (create returned), never die of SIGPIPE.
  send(P->sync_fd, &m, sizeof m, MSG_NOSIGNAL);
}

// Go's wording for the errors execve(2) can return (strerror is not
// async-signal-safe: it may allocate for the locale).
const char* errno_text(int e) {
  switch (e) {
    case EPERM: return "operation not permitted";
    case ENOENT: return "no such file or directory";
    case E2BIG: return "argument list too long";
    case ENOEXEC: return "exec format error";
    case ENOMEM: return "cannot allocate memory";
    case EACCES: return "permission denied";
    case EFAULT: return "bad address";
    case ENOTDIR: return "not a directory";
    case EISDIR: return "is a directory";
    case EINVAL: return "invalid argument";
    case ETXTBSY: return "text file busy";
    case ENAMETOOLONG: return "file name too long";
    case ENOSYS: return "function not implemented";
    case ELOOP: return "too many levels of symbolic links";
    default: return "exec failed";
  }
}

// Reports the failed step with errno to the parent, says it on stderr when the
// parent has gone (after start), and exits.
[[noreturn]] void fail(int32_t step, int32_t index, const char* detail) {
  int e = errno;
  send_msg(MSG_ERROR, step, e, index, 0, detail);
  if (step == STEP_EXEC) {
    // After `start` nobody reads the sync socket: say it where the user looks,
    // in runc's words ("exec /bin/sh: operation not permitted"), and exit 1 as
    // runc's init does (a seccomp profile may deny execve itself).
    const char* msg = "exec ";
    write(2, msg, strlen(msg));
    write(2, detail, slen(detail));
    write(2, ": ", 2);
    write(2, errno_text(e), strlen(errno_text(e)));
    write(2, "\n", 1);
  }
  _exit(1);
}

// Waits for the parent's go-ahead; returns its value field.
int32_t wait_go() {
  SyncMsg m;
  ssize_t n = recv(P->sync_fd, &m, sizeof m, 0);
  if (n != (ssize_t)sizeof m || m.type != MSG_GO) {
    if (n >= 0) errno = EPROTO;
    fail(STEP_SYNC, 0, "waiting for the runtime");
  }
  return m.value;
}

int raw_clone(unsigned long flags) {
  // Like fork(): no new stack, the child continues on a copy of ours.
  return (int)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

// mkdir -p for an absolute path; each created directory gets 0755.
int mkdir_all(const char* path) {
  size_t n = slen(path);
  if (n >= sizeof g_path) { errno = ENAMETOOLONG; return -1; }
  memcpy(g_path, path, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (g_path[i] == '/' || g_path[i] == 0) {
      char c = g_path[i];
      g_path[i] = 0;
      if (mkdir(g_path, 0755) < 0 && errno != EEXIST) return -1;
      g_path[i] = c;
    }
  }
  return 0;
}

// Creates the mount point: a directory, or an empty file for file binds.
int make_target(const char* target, bool file) {
  if (!file) return mkdir_all(target);
  size_t n = slen(target);
  if (n >= sizeof g_path) { errno = ENAMETOOLONG; return -1; }
  // parent directory
  memcpy(g_path, target, n + 1);
  char* slash = strrchr(g_path, '/');
  if (slash && slash != g_path) {
    *slash = 0;
    char dir[4096];
    memcpy(dir, g_path, (size_t)(slash - g_path) + 1);
    if (mkdir_all(dir) < 0) return -1;
  }
  int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 && errno != EEXIST && errno != EISDIR) return -1;
  if (fd >= 0) close(fd);
  return 0;
}

const unsigned long kLockable = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
                                MS_NOATIME | MS_NODIRATIME | MS_RELATIME;

// Bind remounts may not clear flags the kernel locked on the source mount (for
// example nodev on a mount inherited into a user namespace): on EPERM, retry
// keeping the flags the mount already has.
int remount_bind(const char* target, unsigned long flags) {
  if (mount(nullptr, target, nullptr, flags | MS_BIND | MS_REMOUNT, nullptr) == 0) return 0;
  if (errno != EPERM) return -1;
  struct statfs st;
  if (statfs(target, &st) < 0) return -1;
  unsigned long locked = (unsigned long)st.f_flags & kLockable;
  return mount(nullptr, target, nullptr, flags | locked | MS_BIND | MS_REMOUNT, nullptr);
}

void do_mount(int i) {
  const MountOp& m = P->mounts[i];
  if (m.is_symlink) {
    if (symlink(m.source, m.target) < 0 && errno != EEXIST) fail(STEP_MOUNT, i, m.target);
    return;
  }
  if (make_target(m.target, m.make_file) < 0) fail(STEP_MOUNT, i, m.target);
  if (m.is_bind) {
    unsigned long rec = m.flags & MS_REC;
    if (mount(m.source, m.target, nullptr, MS_BIND | rec, nullptr) < 0) fail(STEP_MOUNT, i, m.source);
    unsigned long extra = m.flags & ~(MS_BIND | MS_REC);
    if (extra && remount_bind(m.target, extra | rec) < 0) fail(STEP_MOUNT, i, m.target);
  } else {
    if (mount(m.source, m.target, m.fstype, m.flags, m.data) < 0) fail(STEP_MOUNT, i, m.target);
  }
  for (int k = 0; k < 4 && m.propagation[k]; k++)
    if (mount(nullptr, m.target, nullptr, m.propagation[k], nullptr) < 0) fail(STEP_MOUNT, i, m.target);
}

void do_device(int i) {
  const DeviceOp& d = P->devices[i];
  if (d.bind) {
    if (make_target(d.path, true) < 0) fail(STEP_DEVICE, i, d.path);
    if (mount(d.host_path, d.path, nullptr, MS_BIND, nullptr) < 0) fail(STEP_DEVICE, i, d.path);
    return;
  }
  unlink(d.path);  // a device the image shipped is replaced, as runc does
  // Missing parents are created, as runc's createDeviceNode does (docker
  // --privileged lists nested nodes such as /dev/cpu/0/cpuid): make_target
  // makes the directories and a placeholder file, which mknod then replaces.
  if (make_target(d.path, true) < 0 || unlink(d.path) < 0) fail(STEP_DEVICE, i, d.path);
  mode_t old = umask(0);
  int r = mknod(d.path, d.mode, d.dev);
  umask(old);
  if (r < 0) fail(STEP_DEVICE, i, d.path);
  if (lchown(d.path, d.uid, d.gid) < 0) fail(STEP_DEVICE, i, d.path);
}

// Writes the decimal form of v at p; returns the length.
size_t fmt_int(char* p, long v) {
  char tmp[24];
  size_t n = 0;
  bool neg = v < 0;
  unsigned long u = neg ? (unsigned long)(-v) : (unsigned long)v;
  do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
  size_t k = 0;
  if (neg) p[k++] = '-';
  while (n) p[k++] = tmp[--n];
  return k;
}

char g_hook_out[200];          // the start of a failed hook's output
size_t g_hook_out_len = 0;

void put(const char* s) { write(2, s, slen(s)); }

long now_ms() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// Reads what the hook wrote so far; keeps the start of it for the error
// message, drops the rest. Returns false at end of file.
bool drain_hook_output(int fd) {
  char buf[512];
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r == 0) return false;
    if (r < 0) return errno == EAGAIN || errno == EINTR;
    size_t keep = sizeof g_hook_out - g_hook_out_len;
    if ((size_t)r < keep) keep = (size_t)r;
    memcpy(g_hook_out + g_hook_out_len, buf, keep);
    g_hook_out_len += keep;
  }
}

// Runs one hook: the state JSON (prefix, init's host pid, suffix) on its stdin,
// its stdout and stderr collected for the error message, killed after its
// timeout. Returns 0 on success, -1 with errno (ETIMEDOUT for a timeout), or
// the exit status (128+n for a signal).
int run_hook(const Hook& h, const char* prefix) {
  size_t a = slen(prefix), b = slen(P->hook_state_suffix);
  if (a + b + 24 > sizeof g_state) { errno = E2BIG; return -1; }
  memcpy(g_state, prefix, a);
  size_t n = a + fmt_int(g_state + a, g_host_pid);
  memcpy(g_state + n, P->hook_state_suffix, b);
  n += b;
  g_hook_out_len = 0;
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) < 0) return -1;
  if (pipe2(out, O_CLOEXEC) < 0) return -1;
  int pid = raw_clone(0);
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    execve(h.path, h.argv, h.envp);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  // The hook need not read its stdin and may be gone before we write: EPIPE
  // then, not a SIGPIPE that would kill init without a word. The hook was
  // cloned with the default disposition, which we restore before going on.
  struct sigaction ign, old;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old);
  for (size_t off = 0; off < n;) {
    ssize_t w = write(in[1], g_state + off, n - off);
    if (w <= 0) break;
    off += (size_t)w;
  }
  sigaction(SIGPIPE, &old, nullptr);
  close(in[1]);
  long deadline = h.timeout_sec > 0 ? now_ms() + (long)h.timeout_sec * 1000 : 0;
  bool open_out = true;
  int status = 0;
  for (;;) {
    if (open_out) open_out = drain_hook_output(out[0]);
    int r = (int)syscall(SYS_wait4, pid, &status, WNOHANG, nullptr);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) { close(out[0]); return -1; }
    if (deadline && now_ms() >= deadline) {
      kill(pid, SIGKILL);
      syscall(SYS_wait4, pid, &status, 0, nullptr);
      close(out[0]);
      errno = ETIMEDOUT;
      return -1;
    }
    // Wake on output, or every 5ms to look for the exit (a background child
    // of the hook may keep the pipe open after the hook is gone).
    struct pollfd pfd = {out[0], POLLIN, 0};
    if (open_out) poll(&pfd, 1, 5);
    else { struct timespec tick = {0, 5 * 1000 * 1000}; nanosleep(&tick, nullptr); }
  }
  if (open_out) drain_hook_output(out[0]);
  close(out[0]);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  errno = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// kind: 2 = createContainer, 3 = startContainer (reported in value2). The
// error detail carries the start of the hook's output; the JS side names the
// hook from the plan. startContainer hooks run after `create` returned, so
// nobody reads the sync socket any more: say it on the container's stderr too.
void run_hooks(const Hook* hooks, int n, int kind, const char* prefix) {
  for (int i = 0; i < n; i++) {
    int r = run_hook(hooks[i], prefix);
    if (r == 0) continue;
    int e = errno;
    g_hook_out[g_hook_out_len < sizeof g_hook_out ? g_hook_out_len : sizeof g_hook_out - 1] = 0;
    send_msg(MSG_ERROR, STEP_HOOK, r < 0 ? e : 0, i, r < 0 ? -1 : r, g_hook_out, kind);
    if (kind == 3) {
      char num[24];
      put("berth-runc: error running startContainer hook #");
      num[fmt_int(num, i)] = 0;
      put(num);
      put(" (");
      put(hooks[i].path);
      put("): ");
      if (r < 0 && e == ETIMEDOUT) {
        put("timeout after ");
        num[fmt_int(num, hooks[i].timeout_sec)] = 0;
        put(num);
        put("s");
      } else if (r < 0) {
        put("cannot run it");
      } else {
        put("exit status ");
        num[fmt_int(num, r)] = 0;
        put(num);
      }
      size_t out = g_hook_out_len;
      while (out && (g_hook_out[out - 1] == '\n' || g_hook_out[out - 1] == 0)) out--;
      if (out) { put(", output: "); write(2, g_hook_out, out); }
      put("\n");
    }
    _exit(1);
  }
}

// Signal dispositions and the mask are inherited from Node (which ignores
// SIGPIPE, for one) and ignored signals survive execve: reset them all.
void reset_signals() {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < 65; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &sa, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// pivot_root(".", ".") then detach the old root: the new root needs no
// directory to hold the old one (runc's approach, see pivot_root(2) NOTES).
void enter_rootfs() {
  if (P->no_pivot) {
    if (chdir(P->rootfs) < 0) fail(STEP_PIVOT, 0, P->rootfs);
    if (mount(P->rootfs, "/", nullptr, MS_MOVE, nullptr) < 0) fail(STEP_PIVOT, 0, P->rootfs);
    if (chroot(".") < 0) fail(STEP_PIVOT, 0, P->rootfs);
    if (chdir("/") < 0) fail(STEP_PIVOT, 0, "/");
    return;
  }
  int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  int newroot = open(P->rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0) fail(STEP_PIVOT, 0, P->rootfs);
  if (fchdir(newroot) < 0) fail(STEP_PIVOT, 0, P->rootfs);
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail(STEP_PIVOT, 0, P->rootfs);
  if (fchdir(oldroot) < 0) fail(STEP_PIVOT, 0, "old root");
  // Keep the unmount of the old root from propagating to the host.
  if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) fail(STEP_PIVOT, 0, "old root");
  if (umount2(".", MNT_DETACH) < 0) fail(STEP_PIVOT, 0, "old root");
  if (chdir("/") < 0) fail(STEP_PIVOT, 0, "/");
  close(oldroot);
  close(newroot);
}

void write_file(const char* path, const char* value, int32_t step, int i) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(step, i, path);
  size_t n = slen(value);
  if (write(fd, value, n) != (ssize_t)n) fail(step, i, path);
  close(fd);
}

void mask_paths() {
  for (int i = 0; i < P->n_masked; i++) {
    const char* p = P->masked[i];
    struct stat st;
    if (stat(p, &st) < 0) {
      if (errno == ENOENT) continue;
      fail(STEP_MASK, i, p);
    }
    int r = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, nullptr)
                                : mount("/dev/null", p, nullptr, MS_BIND, nullptr);
    if (r < 0) fail(STEP_MASK, i, p);
  }
}

void readonly_paths() {
  for (int i = 0; i < P->n_readonly; i++) {
    const char* p = P->readonly[i];
    if (mount(p, p, nullptr, MS_BIND | MS_REC, nullptr) < 0) {
      if (errno == ENOENT) continue;
      fail(STEP_READONLY_PATH, i, p);
    }
    // Keep the nosuid/nodev/noexec the path's mount already has (runc's
    // readonlyPath: /proc/bus stays nosuid,nodev,noexec, only gains ro).
    struct statfs st;
    if (statfs(p, &st) < 0) fail(STEP_READONLY_PATH, i, p);
    unsigned long keep = (unsigned long)st.f_flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (remount_bind(p, MS_RDONLY | keep) < 0) fail(STEP_READONLY_PATH, i, p);
  }
}

// The container's own pty: opened inside the container (its devpts), the master
// sent to the console socket with SCM_RIGHTS, the slave made the controlling
// terminal and stdio.
void setup_console() {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail(STEP_CONSOLE, 0, "/dev/ptmx");
  int unlock = 0, num = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) fail(STEP_CONSOLE, 0, "TIOCSPTLCK");
  if (ioctl(master, TIOCGPTN, &num) < 0) fail(STEP_CONSOLE, 0, "TIOCGPTN");
  // Sized before anyone gets the master, so the process never sees 0x0 (runc
  // resizes to process.consoleSize at the same point).
  if (P->console_rows && P->console_cols) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = P->console_rows;
    ws.ws_col = P->console_cols;
    if (ioctl(master, TIOCSWINSZ, &ws) < 0) fail(STEP_CONSOLE, 0, "TIOCSWINSZ");
  }
  char name[64] = "/dev/pts/";
  name[9 + fmt_int(name + 9, num)] = 0;
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) fail(STEP_CONSOLE, 0, name);

  const char* tag = "/dev/ptmx";
  struct iovec iov = {(void*)tag, strlen(tag)};
  char cbuf[CMSG_SPACE(sizeof(int))];
  memset(cbuf, 0, sizeof cbuf);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov; msg.msg_iovlen = 1;
  msg.msg_control = cbuf; msg.msg_controllen = sizeof cbuf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &master, sizeof(int));
  if (sendmsg(P->console_fd, &msg, MSG_NOSIGNAL) < 0) fail(STEP_CONSOLE, 0, "console socket");
  close(master);
  close(P->console_fd);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0) fail(STEP_CONSOLE, 0, name);
  if (ioctl(0, TIOCSCTTY, 0) < 0) fail(STEP_CONSOLE, 0, "TIOCSCTTY");
  if (slave > 2) close(slave);
}

// Go's exec.LookPath, as runc uses it: a name with a slash is taken as is, any
// other is searched in PATH. Executable means a non-directory with an x bit.
bool executable(const char* p, int* err) {
  struct stat st;
  if (stat(p, &st) < 0) { *err = errno; return false; }
  if (S_ISDIR(st.st_mode)) { *err = EISDIR; return false; }
  if ((st.st_mode & 0111) == 0) { *err = EACCES; return false; }
  return true;
}

void look_path() {
  const char* name = P->argv[0];
  int err = 0;
  if (!name || !*name) { errno = ENOENT; fail(STEP_LOOKPATH, 0, ""); }
  if (strchr(name, '/')) {
    if (!executable(name, &err)) { errno = err; fail(STEP_LOOKPATH, 0, name); }
    size_t n = slen(name);
    if (n >= sizeof g_exe) { errno = ENAMETOOLONG; fail(STEP_LOOKPATH, 0, name); }
    memcpy(g_exe, name, n + 1);
    return;
  }
  const char* path = P->path_env ? P->path_env : "";
  size_t nl = slen(name);
  while (*path) {  // an empty PATH has no entries (Go's filepath.SplitList)
    const char* end = strchr(path, ':');
    size_t dl = end ? (size_t)(end - path) : slen(path);
    if (dl == 0) { g_exe[0] = '.'; dl = 1; } else if (dl < sizeof g_exe) memcpy(g_exe, path, dl);
    if (dl + 1 + nl + 1 <= sizeof g_exe) {
      g_exe[dl] = '/';
      memcpy(g_exe + dl + 1, name, nl + 1);
      if (executable(g_exe, &err)) return;
    }
    if (!end) break;
    path = end + 1;
  }
  errno = 0;  // errno 0 with this step means "not found in $PATH"
  fail(STEP_LOOKPATH, 0, name);
}

void load_seccomp() {
  struct sock_fprog prog;
  prog.len = P->n_seccomp;
  prog.filter = (struct sock_filter*)P->seccomp_filter;
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, P->seccomp_flags, &prog) < 0)
    fail(STEP_SECCOMP, 0, "linux.seccomp");
}

// Drops the bounding set, switches ids keeping capabilities, then sets the four
// other capability sets (runc's finalizeNamespace order).
void set_identity() {
  for (int cap = 0; cap < 64; cap++) {
    if (P->cap_bounding & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) fail(STEP_CAPS, cap, "bounding");
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail(STEP_CAPS, 0, "keepcaps");
  if (P->setgroups_allowed) {
    if (syscall(SYS_setgroups, P->n_groups, P->groups) < 0) fail(STEP_SETGROUPS, 0, "additionalGids");
  }
  // setgid/setuid, not setres*: with CAP_SETGID/CAP_SETUID (we are root in our
  // user namespace here) they set real, effective and saved ids alike, and they
  // are the syscalls runc makes, so a seccomp profile written for runc (loaded
  // before this step when noNewPrivileges is false) lets us through as well.
  if (syscall(SYS_setgid, P->gid) < 0) fail(STEP_SETGID, 0, "gid");
  if (syscall(SYS_setuid, P->uid) < 0) fail(STEP_SETUID, 0, "uid");
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) fail(STEP_CAPS, 0, "keepcaps");
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  data[0].effective = (uint32_t)P->cap_effective;
  data[1].effective = (uint32_t)(P->cap_effective >> 32);
  data[0].permitted = (uint32_t)P->cap_permitted;
  data[1].permitted = (uint32_t)(P->cap_permitted >> 32);
  data[0].inheritable = (uint32_t)P->cap_inheritable;
  data[1].inheritable = (uint32_t)(P->cap_inheritable >> 32);
  if (syscall(SYS_capset, &hdr, data) < 0) fail(STEP_CAPS, 0, "capset");
  // The kernel raises an ambient capability only if it is both permitted and
  // inheritable; runc skips the others silently (runc's default spec lists
  // ambient capabilities but no inheritable ones), so do we.
  uint64_t raisable = P->cap_ambient & P->cap_inheritable & P->cap_permitted;
  for (int cap = 0; cap < 64; cap++) {
    if (!(raisable & (1ULL << cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) fail(STEP_CAPS, cap, "ambient");
  }
}

void prepare_rootfs() {
  if (mount(nullptr, "/", nullptr, P->rootfs_propagation, nullptr) < 0)
    fail(STEP_PROPAGATION, 0, "/");
  // pivot_root refuses a shared parent, and a bind under it would reach the host.
  if (P->rootfs_parent_private && mount(nullptr, P->rootfs_parent_private, nullptr, MS_PRIVATE, nullptr) < 0)
    fail(STEP_PROPAGATION, 0, P->rootfs_parent_private);
  if (mount(P->rootfs, P->rootfs, "bind", MS_BIND | MS_REC, nullptr) < 0)
    fail(STEP_ROOTFS_BIND, 0, P->rootfs);
  for (int i = 0; i < P->n_mounts; i++) do_mount(i);
  for (int i = 0; i < P->n_devices; i++) do_device(i);
  for (int i = 0; i < P->n_links; i++) {
    if (symlink(P->links[i].target, P->links[i].path) < 0 && errno != EEXIST)
      fail(STEP_SYMLINK, i, P->links[i].path);
  }
}

[[noreturn]] void run_init() {
  // First message: the go-ahead, carrying our pid as the host sees it.
  g_host_pid = wait_go();
  if (setsid() < 0) fail(STEP_SETSID, 0, nullptr);
  if (P->clone_flags & CLONE_NEWUSER || P->userns_maps) {
    if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0)
      fail(STEP_SETID_ROOT, 0, nullptr);
  }
  if (P->session_keyring) {
    // A session keyring of the container's own (runc: "_ses.<id>"), so keys
    // are not shared with the host's session; permissions as runc leaves them
    // (0x3f1b0000: possessor all, user view/read/search/link, group and other
    // none). Kernels without keys: carry on.
    long key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, P->session_keyring, 0, 0, 0);
    if (key < 0 && errno != ENOSYS) fail(STEP_KEYRING, 0, P->session_keyring);
    if (key >= 0 && syscall(SYS_keyctl, KEYCTL_SETPERM, key, 0x3f1b0000, 0, 0) < 0)
      fail(STEP_KEYRING, 0, P->session_keyring);
  }
  if (P->has_oom_score) {
    char v[24];
    v[fmt_int(v, P->oom_score_adj)] = 0;
    write_file("/proc/self/oom_score_adj", v, STEP_OOM_SCORE, 0);
  }
  for (int i = 0; i < P->n_rlimits; i++) {
    struct rlimit64 rl = {P->rlimits[i].soft, P->rlimits[i].hard};
    if (syscall(SYS_prlimit64, 0, P->rlimits[i].resource, &rl, nullptr) < 0)
      fail(STEP_RLIMIT, i, nullptr);
  }
  int fifo = g_fifo;
  if (P->rootfs) {
    prepare_rootfs();
    if (P->parent_hooks) {
      send_msg(MSG_HOOKS, 0, 0, 0, 0, nullptr);
      wait_go();
    }
    // createContainer hooks run in the container's mount namespace with the
    // rootfs (and everything mounted into it) as their working directory.
    if (P->n_create_hooks && chdir(P->rootfs) < 0) fail(STEP_HOOK, 0, P->rootfs);
    run_hooks(P->create_hooks, P->n_create_hooks, 2, P->hook_state_prefix);
    enter_rootfs();
    if (P->readonly_rootfs && remount_bind("/", MS_RDONLY) < 0) fail(STEP_READONLY_ROOT, 0, "/");
  }
  if (P->hostname && sethostname(P->hostname, slen(P->hostname)) < 0) fail(STEP_HOSTNAME, 0, P->hostname);
  if (P->domainname && setdomainname(P->domainname, slen(P->domainname)) < 0)
    fail(STEP_DOMAINNAME, 0, P->domainname);
  if (P->rootfs) {
    // runc's order (standard_init_linux.go): read-only root, hostname, sysctls,
    // readonlyPaths, then maskedPaths, so the mount tables look the same.
    for (int i = 0; i < P->n_sysctl; i++)
      write_file(P->sysctl[i].key, P->sysctl[i].value, STEP_SYSCTL, i);
    readonly_paths();
    mask_paths();
  }

  if (P->terminal && P->console_fd >= 0) {
    setup_console();
  } else {
    for (int fd = 0; fd < 3; fd++) {
      if (P->stdio_fds[fd] >= 0) {
        if (dup2(P->stdio_fds[fd], fd) < 0) fail(STEP_CONSOLE, fd, "stdio");
      } else {
        // Node marks its own stdio close-on-exec at startup; the container
        // inherits the runtime's stdio, so clear the flag (a closed fd is fine).
        fcntl(fd, F_SETFD, 0);
      }
    }
  }
  if (P->cwd && chdir(P->cwd) < 0) fail(STEP_CWD, 0, P->cwd);
  if (P->umask >= 0) umask((mode_t)P->umask);
  if (P->n_seccomp && !P->no_new_privs) load_seccomp();
  set_identity();
  if (P->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(STEP_NNP, 0, nullptr);
  look_path();

  // Only the preserved fds and stdio survive execve.
  for (int fd = 3; fd < 3 + P->preserve_fds; fd++)
    if (fcntl(fd, F_SETFD, 0) < 0) fail(STEP_PRESERVE_FDS, fd, nullptr);
  if (syscall(SYS_close_range, 3 + P->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    fail(STEP_PRESERVE_FDS, 0, "close_range");

  send_msg(MSG_READY, 0, 0, 0, 0, nullptr);
  if (fifo >= 0) {
    // Block until `start` opens the other end (runc's exec.fifo protocol).
    char proc_path[64] = "/proc/self/fd/";
    proc_path[14 + fmt_int(proc_path + 14, fifo)] = 0;
    int w = open(proc_path, O_WRONLY | O_CLOEXEC);
    if (w < 0) fail(STEP_FIFO, 0, proc_path);
    close(fifo);
    // `start` has opened the fifo: run startContainer hooks before telling it
    // we go on. The write end stays open and closes at execve (CLOEXEC), so
    // `start` sees end-of-file once the process has really been executed and
    // only then runs poststart hooks (the spec's order; runc 1.1 races them).
    run_hooks(P->start_hooks, P->n_start_hooks, 3, P->start_hook_state_prefix);
    if (write(w, "0", 1) != 1) fail(STEP_FIFO, 0, proc_path);
  }
  if (P->n_seccomp && P->no_new_privs) load_seccomp();
  execve(g_exe, (char* const*)P->argv, (char* const*)P->envp);
  fail(STEP_EXEC, 0, g_exe);
}

}  // namespace

[[noreturn]] void run_stage1(const Plan* plan) {
  P = plan;
  reset_signals();
  // Step 0: wait until the parent has put us in our cgroups.
  wait_go();
  // The exec fifo is opened now, as host root, like runc's parent does: once in
  // a user namespace, container root cannot search the runtime's state root
  // (e.g. containerd's /run/containerd is 0700) and the open would fail EACCES.
  // init inherits the fd and reopens it through /proc/self/fd after pivot_root.
  if (P->rootfs && P->fifo_path) {
    g_fifo = open(P->fifo_path, O_PATH | O_CLOEXEC);
    if (g_fifo < 0) fail(STEP_FIFO, 0, P->fifo_path);
  }
  // Open every namespace first, then join: once the mount namespace is joined,
  // /proc/<pid>/ns/... paths resolve in the container's /proc (another pid
  // namespace) and the rest could not be found (runc's nsexec does the same).
  static int ns_fds[16];
  if (P->n_join > 16) { errno = E2BIG; fail(STEP_SETNS, 16, "too many namespaces to join"); }
  for (int i = 0; i < P->n_join; i++) {
    ns_fds[i] = open(P->join_paths[i], O_RDONLY | O_CLOEXEC);
    if (ns_fds[i] < 0) fail(STEP_SETNS, i, P->join_paths[i]);
  }
  for (int i = 0; i < P->n_join; i++) {
    if (setns(ns_fds[i], P->join_types[i]) < 0) fail(STEP_SETNS, i, P->join_paths[i]);
    close(ns_fds[i]);
  }
  if (P->clone_flags & CLONE_NEWUSER) {
    if (unshare(CLONE_NEWUSER) < 0) fail(STEP_UNSHARE_USER, 0, nullptr);
    send_msg(MSG_USERMAP, 0, 0, 0, (int32_t)getpid(), nullptr);
    wait_go();
    // Become root in the new user namespace before creating the others: the
    // ipc namespace's mqueue superblock (and so /dev/mqueue) is owned by the
    // creator's fsuid. Only the uid, like runc's nsexec: the gid stays
    // unmapped until run_init, so /dev/mqueue is root:nogroup in both.
    if (syscall(SYS_setresuid, 0, 0, 0) < 0) fail(STEP_SETID_ROOT, 0, nullptr);
  }
  int rest = P->clone_flags & ~CLONE_NEWUSER & ~CLONE_NEWPID;
  if (rest && unshare(rest) < 0) fail(STEP_UNSHARE, 0, nullptr);
  // A new pid namespace takes effect for children only: init is our child, made
  // the parent's child (CLONE_PARENT) so the runtime can wait for it.
  int init = raw_clone(CLONE_PARENT | (unsigned long)(P->clone_flags & CLONE_NEWPID));
  if (init < 0) fail(STEP_CLONE, 0, nullptr);
  if (init == 0) run_init();
  send_msg(MSG_PID, 0, 0, 0, init, nullptr);
  _exit(0);
}

}  // namespace berth
