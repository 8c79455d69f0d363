/**
 * Turns a failure the native child reported ({step, errno, index, detail}) into
 * an error that names the config.json field to blame.
 */
import { os as osConstants } from './errno-names.js';
import { internal, invalidArgument, type BerthError } from '@berth/errors';
import type { NativePlan } from '../native/plan-types.js';
import type { SyncMessage } from '../native/core.js';
import { RLIMIT_RESOURCES } from '../spec/rlimits.js';

const Step = {
  SYNC: 1, SETNS: 2, UNSHARE_USER: 3, SETID_ROOT: 4, UNSHARE: 5, CLONE: 6, SETSID: 7, PROPAGATION: 8,
  ROOTFS_BIND: 9, MOUNT: 10, DEVICE: 11, SYMLINK: 12, HOOK: 13, PIVOT: 14, SYSCTL: 15, MASK: 16,
  READONLY_PATH: 17, READONLY_ROOT: 18, HOSTNAME: 19, DOMAINNAME: 20, RLIMIT: 21, OOM_SCORE: 22,
  CONSOLE: 23, FIFO: 24, SETGROUPS: 25, SETGID: 26, SETUID: 27, CAPS: 28, NNP: 29, SECCOMP: 30,
  CWD: 31, LOOKPATH: 32, EXEC: 33, PRESERVE_FDS: 34, UMASK: 35, KEYRING: 37,
} as const;

const ETIMEDOUT = 110;

function rlimitName(resource: number | undefined): string {
  const name = Object.entries(RLIMIT_RESOURCES).find(([, v]) => v === resource)?.[0];
  return name ?? String(resource);
}

export function errnoText(errno: number): string {
  return osConstants.describe(errno);
}

export interface ChildErrorContext {
  plan: NativePlan;
  /** Field prefix of the process ("process" for init and exec). */
  processField: string;
}

export function childError(msg: SyncMessage, ctx: ChildErrorContext): BerthError {
  const e = msg.errno ? errnoText(msg.errno) : '';
  const { plan } = ctx;
  const p = ctx.processField;
  const why = (field: string, what: string) => internal(`${field}: ${what}${e ? `: ${e}` : ''}`);
  switch (msg.step) {
    case Step.SETNS:
      return why(`linux.namespaces (${msg.detail})`, 'joining namespace');
    case Step.UNSHARE_USER:
    case Step.UNSHARE:
      return why('linux.namespaces', 'creating namespaces');
    case Step.CLONE:
      return why('linux.namespaces', 'starting the container\'s init (clone)');
    case Step.PROPAGATION:
      return why('linux.rootfsPropagation', 'setting rootfs propagation');
    case Step.ROOTFS_BIND:
      return why('root.path', `bind mounting rootfs ${msg.detail}`);
    case Step.MOUNT: {
      const m = plan.mounts[msg.index];
      const field = m && m.origin >= 0 ? `mounts[${m.origin}]` : 'mounts';
      return why(field, `error mounting ${JSON.stringify(m?.source ?? '')} to rootfs at ${JSON.stringify(m?.target ?? msg.detail)}`);
    }
    case Step.DEVICE:
      return why('linux.devices', `creating device ${msg.detail}`);
    case Step.SYMLINK:
      return why('linux.devices', `creating symlink ${msg.detail}`);
    case Step.HOOK: {
      const name = msg.value2 === 2 ? 'createContainer' : 'startContainer';
      const hook = (msg.value2 === 2 ? plan.createContainerHooks : plan.startContainerHooks)[msg.index];
      const r = msg.value > 0 ? `exit status ${msg.value}` : msg.errno === ETIMEDOUT ? `timeout after ${hook?.timeout ?? 0}s` : e;
      const out = msg.detail.trim();
      return internal(`error running ${name} hook #${msg.index}: hooks.${name}[${msg.index}] (${hook?.path ?? '?'}): ${r}${out ? `, output: ${out}` : ''}`);
    }
    case Step.PIVOT:
      return why('root.path', `pivot_root into ${msg.detail}`);
    case Step.SYSCTL:
      return why(`linux.sysctl (${msg.detail})`, 'writing sysctl');
    case Step.MASK:
      return why(`linux.maskedPaths[${msg.index}]`, `masking ${msg.detail}`);
    case Step.READONLY_PATH:
      return why(`linux.readonlyPaths[${msg.index}]`, `making ${msg.detail} read-only`);
    case Step.READONLY_ROOT:
      return why('root.readonly', 'remounting rootfs read-only');
    case Step.HOSTNAME:
      return why('hostname', 'sethostname');
    case Step.DOMAINNAME:
      return why('domainname', 'setdomainname');
    case Step.RLIMIT:
      return why(`${p}.rlimits[${msg.index}]`, `error setting rlimit type ${rlimitName(plan.rlimits[msg.index]?.resource)}`);
    case Step.OOM_SCORE:
      return why(`${p}.oomScoreAdj`, `writing oom_score_adj ${plan.oomScoreAdj ?? ''}`.trim());
    case Step.CONSOLE:
      return why(`${p}.terminal`, `setting up the console (${msg.detail})`);
    case Step.FIFO:
      return why('exec fifo', msg.detail);
    case Step.SETGROUPS:
      return why(`${p}.user.additionalGids`, 'setgroups');
    case Step.SETGID:
      return why(`${p}.user.gid`, `setgid ${plan.gid}`);
    case Step.SETUID:
      return why(`${p}.user.uid`, `setuid ${plan.uid}`);
    case Step.CAPS:
      return why(`${p}.capabilities`, `applying capabilities (${msg.detail})`);
    case Step.NNP:
      return why(`${p}.noNewPrivileges`, 'prctl(PR_SET_NO_NEW_PRIVS)');
    case Step.SECCOMP:
      return why('linux.seccomp', 'loading seccomp filter');
    case Step.CWD:
      return why(`${p}.cwd`, `chdir to cwd (${JSON.stringify(msg.detail)}) set in config.json failed`);
    case Step.LOOKPATH:
      // Go's exec.LookPath wording: containerd and dockerd match on it (126/127).
      if (msg.errno === 0) return invalidArgument(`unable to start container process: exec: ${JSON.stringify(msg.detail)}: executable file not found in $PATH`);
      if (msg.errno === 2) return invalidArgument(`unable to start container process: exec: ${JSON.stringify(msg.detail)}: stat ${msg.detail}: no such file or directory`);
      if (msg.errno === 13 || msg.errno === 21) return invalidArgument(`unable to start container process: exec: ${JSON.stringify(msg.detail)}: permission denied`);
      return why(`${p}.args[0]`, `looking up ${msg.detail}`);
    case Step.EXEC:
      return why(`${p}.args[0]`, `exec ${msg.detail}`);
    case Step.KEYRING:
      return why('--no-new-keyring', `unable to join session keyring ${msg.detail}`);
    case Step.PRESERVE_FDS:
      return why('--preserve-fds', `keeping fd ${msg.index}`);
    default:
      return why('runtime', `container init failed at step ${msg.step}${msg.detail ? ` (${msg.detail})` : ''}`);
  }
}
