// cgroup v2 device control: cgroup2 has no devices.allow/deny files; access is
// decided by a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup. The
// program itself is generated in TS (src/cgroups/device-bpf.ts); this file only
// loads it and swaps it in for whatever program was attached before.
#include <napi.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace berth {
namespace {

long bpf(int cmd, union bpf_attr* attr) { return syscall(SYS_bpf, cmd, attr, sizeof *attr); }

// A signal arriving while the verifier runs makes BPF_PROG_LOAD fail with
// EAGAIN although the program is fine (Node's SIGCHLD from a child that just
// exited is enough). The calling thread blocks signals for the load, so they
// reach Node's other threads or wait until after it; a few retries cover the
// rest, as libbpf and cilium/ebpf retry.
int load_program(union bpf_attr* load) {
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &before);
  int fd = -1;
  for (int attempt = 0; attempt < 5; attempt++) {
    fd = (int)bpf(BPF_PROG_LOAD, load);
    if (fd >= 0 || (errno != EAGAIN && errno != EINTR)) break;
  }
  int e = errno;
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  errno = e;
  return fd;
}

Napi::Error fail(Napi::Env env, const std::string& what, int e) {
  Napi::Error err = Napi::Error::New(env, what + ": " + strerror(e));
  err.Set("errno", Napi::Number::New(env, e));
  return err;
}

}  // namespace

// attachDeviceFilter(cgroupDir, insns): load the program, attach it with
// BPF_F_ALLOW_MULTI, then detach the programs that were there before, so the
// cgroup is never without a filter while it is replaced (runc does the same).
Napi::Value AttachDeviceFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string dir = info[0].As<Napi::String>().Utf8Value();
  Napi::Buffer<uint8_t> insns = info[1].As<Napi::Buffer<uint8_t>>();

  int cg = open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (cg < 0) throw fail(env, "open " + dir, errno);

  // Programs attached now, to detach once ours is in.
  uint32_t ids[64];
  union bpf_attr q;
  memset(&q, 0, sizeof q);
  q.query.target_fd = (uint32_t)cg;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = (uint64_t)(uintptr_t)ids;
  q.query.prog_cnt = 64;
  uint32_t n_old = bpf(BPF_PROG_QUERY, &q) == 0 ? q.query.prog_cnt : 0;

  static const char license[] = "Apache";
  char log[4096] = "";
  union bpf_attr load;
  memset(&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = (uint64_t)(uintptr_t)insns.Data();
  load.insn_cnt = (uint32_t)(insns.Length() / sizeof(struct bpf_insn));
  load.license = (uint64_t)(uintptr_t)license;
  int prog = load_program(&load);
  if (prog < 0) {
    // Load again with the verifier's log, only to say why (a log that does not
    // fit its buffer would itself fail the load with ENOSPC).
    int first = errno;
    load.log_buf = (uint64_t)(uintptr_t)log;
    load.log_size = sizeof log;
    load.log_level = 1;
    int again = load_program(&load);
    if (again >= 0) close(again);
    if (again >= 0 || errno == ENOSPC) errno = first;
  }
  if (prog < 0) {
    int e = errno;
    close(cg);
    throw fail(env, std::string("loading the device filter (verifier: ") + log + ")", e);
  }
  union bpf_attr at;
  memset(&at, 0, sizeof at);
  at.target_fd = (uint32_t)cg;
  at.attach_bpf_fd = (uint32_t)prog;
  at.attach_type = BPF_CGROUP_DEVICE;
  at.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &at) < 0) {
    int e = errno;
    close(prog);
    close(cg);
    throw fail(env, "attaching the device filter to " + dir, e);
  }
  for (uint32_t i = 0; i < n_old && i < 64; i++) {
    union bpf_attr g;
    memset(&g, 0, sizeof g);
    g.prog_id = ids[i];
    int old = (int)bpf(BPF_PROG_GET_FD_BY_ID, &g);
    if (old < 0) continue;
    union bpf_attr d;
    memset(&d, 0, sizeof d);
    d.target_fd = (uint32_t)cg;
    d.attach_bpf_fd = (uint32_t)old;
    d.attach_type = BPF_CGROUP_DEVICE;
    bpf(BPF_PROG_DETACH, &d);
    close(old);
  }
  close(prog);  // the cgroup holds its own reference
  close(cg);
  return env.Undefined();
}

}  // namespace berth
