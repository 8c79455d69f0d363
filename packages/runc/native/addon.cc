// N-API glue: turns the JS launch plan into plain C memory, clones the child,
// and offers the few syscalls Node lacks (waitpid on any child, mkfifo, fd
// passing over unix sockets, window sizes).
#include <napi.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <deque>
#include <string>
#include <vector>

#include "plan.h"

namespace berth {
namespace {

Napi::Error errno_error(Napi::Env env, const char* what, int e) {
  Napi::Error err = Napi::Error::New(env, std::string(what) + ": " + strerror(e));
  err.Set("errno", Napi::Number::New(env, e));
  err.Set("syscall", Napi::String::New(env, what));
  return err;
}

// Owns every string and array of one plan until spawn() returns. The child gets
// its own copy of this memory through clone().
class Arena {
 public:
  const char* str(const Napi::Value& v) {
    if (v.IsUndefined() || v.IsNull()) return nullptr;
    strings_.push_back(v.As<Napi::String>().Utf8Value());
    return strings_.back().c_str();
  }
  template <typename T>
  T* array(size_t n) {
    blocks_.emplace_back(sizeof(T) * (n + 1), 0);
    return reinterpret_cast<T*>(blocks_.back().data());
  }
  // A NULL-terminated char* array, as argv/envp.
  const char** strv(const Napi::Value& v) {
    if (!v.IsArray()) return nullptr;
    Napi::Array a = v.As<Napi::Array>();
    const char** out = array<const char*>(a.Length());
    for (uint32_t i = 0; i < a.Length(); i++) out[i] = str(a.Get(i));
    out[a.Length()] = nullptr;
    return out;
  }

 private:
  std::deque<std::string> strings_;
  std::deque<std::vector<char>> blocks_;
};

int32_t i32(const Napi::Object& o, const char* k, int32_t dflt = 0) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : (v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt);
}

uint64_t u64(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  if (v.IsBigInt()) {
    bool lossless;
    return v.As<Napi::BigInt>().Uint64Value(&lossless);
  }
  return v.IsNumber() ? (uint64_t)v.As<Napi::Number>().Int64Value() : 0;
}

Napi::Array arr(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsArray() ? v.As<Napi::Array>() : Napi::Array::New(o.Env());
}

Hook* hooks(Arena& a, const Napi::Array& src, int32_t* n) {
  *n = (int32_t)src.Length();
  Hook* out = a.array<Hook>(src.Length());
  for (uint32_t i = 0; i < src.Length(); i++) {
    Napi::Object h = src.Get(i).As<Napi::Object>();
    out[i].path = a.str(h.Get("path"));
    out[i].argv = (char* const*)a.strv(h.Get("args"));
    out[i].envp = (char* const*)a.strv(h.Get("env"));
    out[i].timeout_sec = i32(h, "timeout");
  }
  return out;
}

// Fills `p` from the JS plan (see src/native/plan-types.ts for the shape).
void build_plan(Arena& a, const Napi::Object& o, Plan* p) {
  memset(p, 0, sizeof *p);
  Napi::Array join = arr(o, "joinNamespaces");
  p->n_join = (int32_t)join.Length();
  p->join_types = a.array<int32_t>(join.Length());
  p->join_paths = a.array<const char*>(join.Length());
  for (uint32_t i = 0; i < join.Length(); i++) {
    Napi::Object j = join.Get(i).As<Napi::Object>();
    p->join_types[i] = i32(j, "type");
    p->join_paths[i] = a.str(j.Get("path"));
  }
  p->clone_flags = i32(o, "cloneFlags");
  p->userns_maps = i32(o, "usernsMaps");
  p->setgroups_allowed = i32(o, "setgroupsAllowed", 1);
  p->rootfs = a.str(o.Get("rootfs"));
  p->rootfs_propagation = (unsigned long)u64(o, "rootfsPropagation");
  p->rootfs_parent_private = a.str(o.Get("rootfsParentPrivate"));
  p->readonly_rootfs = i32(o, "readonlyRootfs");
  p->no_pivot = i32(o, "noPivot");

  Napi::Array mounts = arr(o, "mounts");
  p->n_mounts = (int32_t)mounts.Length();
  p->mounts = a.array<MountOp>(mounts.Length());
  for (uint32_t i = 0; i < mounts.Length(); i++) {
    Napi::Object m = mounts.Get(i).As<Napi::Object>();
    MountOp& op = p->mounts[i];
    op.source = a.str(m.Get("source"));
    op.target = a.str(m.Get("target"));
    op.fstype = a.str(m.Get("fstype"));
    op.data = a.str(m.Get("data"));
    op.flags = (unsigned long)u64(m, "flags");
    Napi::Array prop = arr(m, "propagation");
    for (uint32_t k = 0; k < prop.Length() && k < 3; k++)
      op.propagation[k] = (unsigned long)prop.Get(k).As<Napi::Number>().Int64Value();
    op.is_bind = i32(m, "bind");
    op.make_file = i32(m, "file");
    op.origin = i32(m, "origin", -1);
    op.is_symlink = i32(m, "symlink");
  }
  Napi::Array devs = arr(o, "devices");
  p->n_devices = (int32_t)devs.Length();
  p->devices = a.array<DeviceOp>(devs.Length());
  for (uint32_t i = 0; i < devs.Length(); i++) {
    Napi::Object d = devs.Get(i).As<Napi::Object>();
    DeviceOp& op = p->devices[i];
    op.path = a.str(d.Get("path"));
    op.host_path = a.str(d.Get("hostPath"));
    op.mode = (uint32_t)i32(d, "mode");
    op.dev = makedev((unsigned)i32(d, "major"), (unsigned)i32(d, "minor"));
    op.uid = (uint32_t)i32(d, "uid");
    op.gid = (uint32_t)i32(d, "gid");
    op.bind = i32(d, "bind");
  }
  Napi::Array links = arr(o, "links");
  p->n_links = (int32_t)links.Length();
  p->links = a.array<LinkOp>(links.Length());
  for (uint32_t i = 0; i < links.Length(); i++) {
    Napi::Object l = links.Get(i).As<Napi::Object>();
    p->links[i].target = a.str(l.Get("target"));
    p->links[i].path = a.str(l.Get("path"));
  }
  Napi::Array masked = arr(o, "maskedPaths");
  p->n_masked = (int32_t)masked.Length();
  p->masked = a.strv(masked);
  Napi::Array ro = arr(o, "readonlyPaths");
  p->n_readonly = (int32_t)ro.Length();
  p->readonly = a.strv(ro);
  Napi::Array sysctl = arr(o, "sysctl");
  p->n_sysctl = (int32_t)sysctl.Length();
  p->sysctl = a.array<KeyValue>(sysctl.Length());
  for (uint32_t i = 0; i < sysctl.Length(); i++) {
    Napi::Object kv = sysctl.Get(i).As<Napi::Object>();
    p->sysctl[i].key = a.str(kv.Get("path"));
    p->sysctl[i].value = a.str(kv.Get("value"));
  }
  p->hostname = a.str(o.Get("hostname"));
  p->domainname = a.str(o.Get("domainname"));
  p->session_keyring = a.str(o.Get("sessionKeyring"));
  p->parent_hooks = i32(o, "parentHooks");
  p->create_hooks = hooks(a, arr(o, "createContainerHooks"), &p->n_create_hooks);
  p->start_hooks = hooks(a, arr(o, "startContainerHooks"), &p->n_start_hooks);
  p->hook_state_prefix = a.str(o.Get("hookStatePrefix"));
  p->start_hook_state_prefix = a.str(o.Get("startHookStatePrefix"));
  p->hook_state_suffix = a.str(o.Get("hookStateSuffix"));

  p->argv = a.strv(o.Get("args"));
  p->envp = a.strv(o.Get("env"));
  p->path_env = a.str(o.Get("pathEnv"));
  p->cwd = a.str(o.Get("cwd"));
  p->uid = (uint32_t)i32(o, "uid");
  p->gid = (uint32_t)i32(o, "gid");
  Napi::Array groups = arr(o, "additionalGids");
  p->n_groups = (int32_t)groups.Length();
  p->groups = a.array<uint32_t>(groups.Length());
  for (uint32_t i = 0; i < groups.Length(); i++)
    p->groups[i] = groups.Get(i).As<Napi::Number>().Uint32Value();
  p->umask = i32(o, "umask", -1);
  p->cap_bounding = u64(o, "capBounding");
  p->cap_effective = u64(o, "capEffective");
  p->cap_permitted = u64(o, "capPermitted");
  p->cap_inheritable = u64(o, "capInheritable");
  p->cap_ambient = u64(o, "capAmbient");
  Napi::Array rl = arr(o, "rlimits");
  p->n_rlimits = (int32_t)rl.Length();
  p->rlimits = a.array<Rlimit>(rl.Length());
  for (uint32_t i = 0; i < rl.Length(); i++) {
    Napi::Object r = rl.Get(i).As<Napi::Object>();
    p->rlimits[i].resource = i32(r, "resource");
    p->rlimits[i].soft = u64(r, "soft");
    p->rlimits[i].hard = u64(r, "hard");
  }
  p->no_new_privs = i32(o, "noNewPrivileges");
  Napi::Value oom = o.Get("oomScoreAdj");
  p->has_oom_score = oom.IsNumber();
  p->oom_score_adj = p->has_oom_score ? oom.As<Napi::Number>().Int32Value() : 0;
  Napi::Value filter = o.Get("seccompFilter");
  if (filter.IsBuffer()) {
    Napi::Buffer<uint8_t> b = filter.As<Napi::Buffer<uint8_t>>();
    p->n_seccomp = (uint16_t)(b.Length() / 8);  // struct sock_filter is 8 bytes
    uint8_t* copy = a.array<uint8_t>(b.Length());
    memcpy(copy, b.Data(), b.Length());
    p->seccomp_filter = copy;
  }
  p->seccomp_flags = (uint32_t)i32(o, "seccompFlags");
  p->terminal = i32(o, "terminal");
  p->console_fd = i32(o, "consoleFd", -1);
  Napi::Value size = o.Get("consoleSize");
  if (size.IsObject()) {
    p->console_rows = (uint16_t)i32(size.As<Napi::Object>(), "rows");
    p->console_cols = (uint16_t)i32(size.As<Napi::Object>(), "cols");
  }
  Napi::Array stdio = arr(o, "stdio");
  for (int k = 0; k < 3; k++)
    p->stdio_fds[k] = k < (int)stdio.Length() ? stdio.Get(k).As<Napi::Number>().Int32Value() : -1;
  p->fifo_path = a.str(o.Get("fifoPath"));
  p->preserve_fds = i32(o, "preserveFds");
}

int connect_unix(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) { close(fd); errno = ENAMETOOLONG; return -1; }
  memcpy(addr.sun_path, path.c_str(), path.size());
  if (connect(fd, (struct sockaddr*)&addr, sizeof addr) < 0) { int e = errno; close(fd); errno = e; return -1; }
  return fd;
}

// spawn(plan) -> { pid, syncFd }: clones stage 1 and returns at once; the JS
// side then drives the handshake over syncFd (see src/native/launch.ts).
Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = info[0].As<Napi::Object>();
  Arena arena;
  Plan plan;
  build_plan(arena, o, &plan);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) throw errno_error(env, "socketpair", errno);
  plan.sync_fd = sv[1];
  int console_opened = -1;
  Napi::Value cs = o.Get("consoleSocket");
  if (cs.IsString()) {
    console_opened = connect_unix(cs.As<Napi::String>().Utf8Value());
    if (console_opened < 0) {
      int e = errno;
      close(sv[0]); close(sv[1]);
      throw errno_error(env, "connect console socket", e);
    }
    plan.console_fd = console_opened;
  }
  int pid = (int)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) run_stage1(&plan);
  int e = errno;
  close(sv[1]);
  if (console_opened >= 0) close(console_opened);
  if (pid < 0) { close(sv[0]); throw errno_error(env, "clone", e); }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", pid);
  out.Set("syncFd", sv[0]);
  return out;
}

// recvMsg(fd, timeoutMs) -> message object, or null at EOF (every child end closed).
Napi::Value RecvMsg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int timeout = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : -1;
  struct pollfd pfd = {fd, POLLIN, 0};
  int r;
  do { r = poll(&pfd, 1, timeout); } while (r < 0 && errno == EINTR);
  if (r < 0) throw errno_error(env, "poll", errno);
  if (r == 0) throw errno_error(env, "waiting for the container", ETIMEDOUT);
  SyncMsg m;
  ssize_t n;
  do { n = recv(fd, &m, sizeof m, 0); } while (n < 0 && errno == EINTR);
  if (n < 0) throw errno_error(env, "recv", errno);
  if (n == 0) return env.Null();
  if (n != (ssize_t)sizeof m) throw errno_error(env, "recv", EPROTO);
  Napi::Object out = Napi::Object::New(env);
  out.Set("type", m.type);
  out.Set("step", m.step);
  out.Set("errno", m.err);
  out.Set("index", m.index);
  out.Set("value", m.value);
  out.Set("value2", m.value2);
  m.detail[sizeof m.detail - 1] = 0;
  out.Set("detail", std::string(m.detail));
  return out;
}

// sendGo(fd, value): lets the child continue.
Napi::Value SendGo(const Napi::CallbackInfo& info) {
  SyncMsg m;
  memset(&m, 0, sizeof m);
  m.type = MSG_GO;
  m.value = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (send(fd, &m, sizeof m, MSG_NOSIGNAL) != (ssize_t)sizeof m)
    throw errno_error(info.Env(), "send", errno);
  return info.Env().Undefined();
}

Napi::Object wait_status(Napi::Env env, int pid, int status) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", pid);
  if (pid > 0) {
    out.Set("status", status);
    if (WIFEXITED(status)) out.Set("exitCode", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) out.Set("signal", WTERMSIG(status));
  }
  return out;
}

// waitpid(pid, nohang) -> { pid, status, exitCode?, signal? } (pid 0: still running).
Napi::Value WaitPid(const Napi::CallbackInfo& info) {
  int pid = info[0].As<Napi::Number>().Int32Value();
  bool nohang = info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
  int status = 0, r;
  do { r = waitpid(pid, &status, nohang ? WNOHANG : 0); } while (r < 0 && errno == EINTR);
  if (r < 0) throw errno_error(info.Env(), "waitpid", errno);
  return wait_status(info.Env(), r, status);
}

class WaitWorker : public Napi::AsyncWorker {
 public:
  WaitWorker(Napi::Env env, int pid) : Napi::AsyncWorker(env), pid_(pid), deferred_(env) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    do { r_ = waitpid(pid_, &status_, 0); } while (r_ < 0 && errno == EINTR);
    if (r_ < 0) err_ = errno;
  }
  void OnOK() override {
    if (r_ < 0) deferred_.Reject(errno_error(Env(), "waitpid", err_).Value());
    else deferred_.Resolve(wait_status(Env(), r_, status_));
  }

 private:
  int pid_, r_ = 0, status_ = 0, err_ = 0;
  Napi::Promise::Deferred deferred_;
};

// waitpidAsync(pid) -> Promise of the same shape; waits on a libuv worker thread.
Napi::Value WaitPidAsync(const Napi::CallbackInfo& info) {
  auto* w = new WaitWorker(info.Env(), info[0].As<Napi::Number>().Int32Value());
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value MkFifo(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  mode_t mode = (mode_t)info[1].As<Napi::Number>().Uint32Value();
  mode_t old = umask(0);
  int r = mkfifo(path.c_str(), mode);
  int e = errno;
  umask(old);
  if (r < 0) throw errno_error(info.Env(), "mkfifo", e);
  return info.Env().Undefined();
}

// recvFd(sockFd) -> { fd, name }: one fd passed with SCM_RIGHTS (console sockets).
Napi::Value RecvFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  char name[4096];
  struct iovec iov = {name, sizeof name - 1};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov; msg.msg_iovlen = 1;
  msg.msg_control = cbuf; msg.msg_controllen = sizeof cbuf;
  ssize_t n;
  do { n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
  if (n < 0) throw errno_error(env, "recvmsg", errno);
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) throw errno_error(env, "recvmsg: no fd received", EPROTO);
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  name[n] = 0;
  Napi::Object out = Napi::Object::New(env);
  out.Set("fd", fd);
  out.Set("name", std::string(name, (size_t)n));
  return out;
}

// socketpair() -> [a, b]: a connected unix stream pair (CLOEXEC).
Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw errno_error(info.Env(), "socketpair", errno);
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, sv[0]);
  out.Set(1u, sv[1]);
  return out;
}

// listenUnix(path) -> fd; accept(fd, timeoutMs) -> fd. Blocking, for console sockets.
Napi::Value ListenUnix(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) { close(fd); throw errno_error(info.Env(), "bind", ENAMETOOLONG); }
  memcpy(addr.sun_path, path.c_str(), path.size());
  if (bind(fd, (struct sockaddr*)&addr, sizeof addr) < 0 || listen(fd, 8) < 0) {
    int e = errno; close(fd); throw errno_error(info.Env(), "bind", e);
  }
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value Accept(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int timeout = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : -1;
  struct pollfd pfd = {fd, POLLIN, 0};
  int r;
  do { r = poll(&pfd, 1, timeout); } while (r < 0 && errno == EINTR);
  if (r == 0) throw errno_error(info.Env(), "accept", ETIMEDOUT);
  int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0) throw errno_error(info.Env(), "accept", errno);
  return Napi::Number::New(info.Env(), c);
}

Napi::Value SetWinsize(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct winsize ws;
  memset(&ws, 0, sizeof ws);
  ws.ws_row = (unsigned short)info[1].As<Napi::Number>().Uint32Value();
  ws.ws_col = (unsigned short)info[2].As<Napi::Number>().Uint32Value();
  if (ioctl(fd, TIOCSWINSZ, &ws) < 0) throw errno_error(info.Env(), "TIOCSWINSZ", errno);
  return info.Env().Undefined();
}

Napi::Value GetWinsize(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) < 0) return info.Env().Null();
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("rows", ws.ws_row);
  out.Set("cols", ws.ws_col);
  return out;
}

// setRaw(fd) -> saved termios as a Buffer; restoreTermios(fd, saved).
Napi::Value SetRaw(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct termios t;
  if (tcgetattr(fd, &t) < 0) throw errno_error(info.Env(), "tcgetattr", errno);
  Napi::Buffer<uint8_t> saved = Napi::Buffer<uint8_t>::Copy(info.Env(), (uint8_t*)&t, sizeof t);
  cfmakeraw(&t);
  if (tcsetattr(fd, TCSANOW, &t) < 0) throw errno_error(info.Env(), "tcsetattr", errno);
  return saved;
}

Napi::Value RestoreTermios(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Buffer<uint8_t> b = info[1].As<Napi::Buffer<uint8_t>>();
  if (b.Length() == sizeof(struct termios)) tcsetattr(fd, TCSANOW, (struct termios*)b.Data());
  return info.Env().Undefined();
}

// setChildSubreaper(): prctl(PR_SET_CHILD_SUBREAPER) for berth-shim. Orphaned
// descendants (a container's init once a runc binary that created it exits,
// processes of a container without its own pid namespace) are then re-parented
// to the shim instead of pid 1, so the shim can reap them and learn their exit
// status (prctl(2)).
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) throw errno_error(info.Env(), "prctl(PR_SET_CHILD_SUBREAPER)", errno);
  return info.Env().Undefined();
}

}  // namespace

Napi::Value AttachDeviceFilter(const Napi::CallbackInfo& info);  // devices_bpf.cc

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("spawn", Napi::Function::New(env, Spawn));
  exports.Set("recvMsg", Napi::Function::New(env, RecvMsg));
  exports.Set("sendGo", Napi::Function::New(env, SendGo));
  exports.Set("waitpid", Napi::Function::New(env, WaitPid));
  exports.Set("waitpidAsync", Napi::Function::New(env, WaitPidAsync));
  exports.Set("mkfifo", Napi::Function::New(env, MkFifo));
  exports.Set("recvFd", Napi::Function::New(env, RecvFd));
  exports.Set("socketpair", Napi::Function::New(env, SocketPair));
  exports.Set("listenUnix", Napi::Function::New(env, ListenUnix));
  exports.Set("accept", Napi::Function::New(env, Accept));
  exports.Set("setWinsize", Napi::Function::New(env, SetWinsize));
  exports.Set("getWinsize", Napi::Function::New(env, GetWinsize));
  exports.Set("setRaw", Napi::Function::New(env, SetRaw));
  exports.Set("restoreTermios", Napi::Function::New(env, RestoreTermios));
  exports.Set("attachDeviceFilter", Napi::Function::New(env, AttachDeviceFilter));
  exports.Set("setChildSubreaper", Napi::Function::New(env, SetChildSubreaper));
  return exports;
}

}  // namespace berth

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return berth::Init(env, exports); }
NODE_API_MODULE(berth_core, InitModule)
