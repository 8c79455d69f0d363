// The flat launch plan the JS side computes and the child executes.
//
// Everything here lives in plain C memory allocated by the parent before clone();
// the child only reads it. No field may need allocation or libc calls that are not
// async-signal-safe to use (see ../../../shared/design.md, "The native core").
#pragma once
#include <stdint.h>
#include <sys/types.h>

namespace berth {

// One step of the child's sequence. The child reports the step that failed,
// and the JS side maps it (with the index) to the config field to blame.
enum Step : int32_t {
  STEP_NONE = 0,
  STEP_SYNC = 1,            // talking to the parent failed
  STEP_SETNS = 2,           // index = joinNamespaces[i]
  STEP_UNSHARE_USER = 3,
  STEP_SETID_ROOT = 4,      // becoming root inside a new/joined user namespace
  STEP_UNSHARE = 5,
  STEP_CLONE = 6,
  STEP_SETSID = 7,
  STEP_PROPAGATION = 8,     // linux.rootfsPropagation
  STEP_ROOTFS_BIND = 9,     // root.path
  STEP_MOUNT = 10,          // index = mounts[i] (the plan's, see planMounts)
  STEP_DEVICE = 11,         // index = devices[i]
  STEP_SYMLINK = 12,
  STEP_HOOK = 13,           // index = hook i of hookKind in value2
  STEP_PIVOT = 14,
  STEP_SYSCTL = 15,         // index = sysctl i
  STEP_MASK = 16,           // index = maskedPaths i
  STEP_READONLY_PATH = 17,  // index = readonlyPaths i
  STEP_READONLY_ROOT = 18,
  STEP_HOSTNAME = 19,
  STEP_DOMAINNAME = 20,
  STEP_RLIMIT = 21,         // index = rlimits i
  STEP_OOM_SCORE = 22,
  STEP_CONSOLE = 23,
  STEP_FIFO = 24,
  STEP_SETGROUPS = 25,
  STEP_SETGID = 26,
  STEP_SETUID = 27,
  STEP_CAPS = 28,
  STEP_NNP = 29,
  STEP_SECCOMP = 30,
  STEP_CWD = 31,
  STEP_LOOKPATH = 32,
  STEP_EXEC = 33,
  STEP_PRESERVE_FDS = 34,
  STEP_UMASK = 35,
  STEP_APPLY_SELF = 36,
  STEP_KEYRING = 37,
};

// Messages on the sync socket (SOCK_SEQPACKET, one struct per message).
enum MsgType : int32_t {
  MSG_GO = 1,          // parent -> child: continue
  MSG_USERMAP = 2,     // child -> parent: write uid/gid maps for pid `value`
  MSG_PID = 3,         // child -> parent: the init pid (in the parent's pid ns)
  MSG_HOOKS = 4,       // init -> parent: run prestart/createRuntime hooks now
  MSG_READY = 5,       // init -> parent: set up, about to wait for start/exec
  MSG_ERROR = 6,       // child -> parent: step failed with errno
  MSG_HOOK_PID = 7,    // parent -> init: host pid of init (for hook state)
};

struct SyncMsg {
  int32_t type;
  int32_t step;
  int32_t err;
  int32_t index;
  int32_t value;
  int32_t value2;
  char detail[256];
};

struct MountOp {
  const char* source;   // may be null
  const char* target;   // absolute host path under the rootfs
  const char* fstype;   // may be null
  const char* data;     // may be null
  unsigned long flags;  // MS_* without propagation flags
  unsigned long propagation[4];  // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE(|MS_REC), 0 ends
  int32_t is_bind;      // bind mount: mount then remount with flags
  int32_t make_file;    // target must be a file (bind of a non-directory)
  int32_t origin;       // index in config.mounts (-1 when the runtime added it)
  int32_t is_symlink;   // not a mount: symlink(source, target)
};

struct DeviceOp {
  const char* path;     // absolute host path under the rootfs
  const char* host_path;// for bind-mounted devices (user namespaces)
  uint32_t mode;        // S_IFCHR/S_IFBLK/S_IFIFO | permission bits
  uint64_t dev;         // makedev(major, minor)
  uint32_t uid, gid;
  int32_t bind;
};

struct LinkOp { const char* target; const char* path; };

struct KeyValue { const char* key; const char* value; };

struct Rlimit { int32_t resource; uint64_t soft, hard; };

struct Hook {
  const char* path;
  char* const* argv;
  char* const* envp;
  int32_t timeout_sec;  // 0 = none
};

struct Plan {
  // Namespaces: join these first (user first), then create `clone_flags`.
  int32_t n_join;
  int32_t* join_types;
  const char** join_paths;
  int32_t clone_flags;
  int32_t userns_maps;          // 1: ask the parent to write maps after unshare(NEWUSER)
  int32_t setgroups_allowed;    // 0 when /proc/pid/setgroups is "deny"

  // Rootfs (init only; rootfs == null for exec).
  const char* rootfs;
  unsigned long rootfs_propagation;
  const char* rootfs_parent_private;  // shared parent mount of the rootfs to make private, or null
  int32_t readonly_rootfs;
  int32_t no_pivot;
  int32_t n_mounts; MountOp* mounts;
  int32_t n_devices; DeviceOp* devices;
  int32_t n_links; LinkOp* links;
  int32_t n_masked; const char** masked;      // container paths (after pivot)
  int32_t n_readonly; const char** readonly;  // container paths (after pivot)
  int32_t n_sysctl; KeyValue* sysctl;         // /proc/sys/... path, value
  const char* hostname;    // null: leave
  const char* domainname;  // null: leave
  const char* session_keyring;  // name of a new session keyring to join, null: keep ours
  int32_t parent_hooks;    // 1: pause after mounts: cgroup limits, prestart/createRuntime hooks
  int32_t n_create_hooks; Hook* create_hooks;  // createContainer (before pivot)
  int32_t n_start_hooks; Hook* start_hooks;    // startContainer (after start)
  const char* hook_state_prefix; // state JSON up to "pid": value (status "creating")
  const char* start_hook_state_prefix; // the same with status "created"
  const char* hook_state_suffix; // rest of the state JSON

  // Process.
  const char* const* argv;
  const char* const* envp;
  const char* path_env;    // value of PATH for the lookup, or null
  const char* cwd;
  uint32_t uid, gid;
  int32_t n_groups; uint32_t* groups;
  int32_t umask;           // -1: leave
  uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
  int32_t n_rlimits; Rlimit* rlimits;
  int32_t no_new_privs;
  int32_t oom_score_adj;   // INT32_MIN: leave
  int32_t has_oom_score;
  uint16_t n_seccomp; void* seccomp_filter;  // struct sock_filter[n]
  uint32_t seccomp_flags;
  int32_t terminal;
  int32_t console_fd;      // connected console socket, -1 when none
  uint16_t console_rows, console_cols;  // process.consoleSize; 0: leave the pty at 0x0
  int32_t stdio_fds[3];    // fds to dup onto 0,1,2 (-1: keep inherited)
  const char* fifo_path;   // exec fifo: block here until `start`
  int32_t preserve_fds;    // fds 3..3+n-1 stay open across exec
  int32_t sync_fd;         // child's end of the sync socket
};

// Runs the child's whole sequence; never returns.
[[noreturn]] void run_stage1(const Plan* plan);

}  // namespace berth
