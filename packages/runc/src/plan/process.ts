/**
 * The process half of a launch plan, shared by the container's init and by exec:
 * argv/env/cwd, user and groups, capabilities, rlimits, no_new_privs, oom score,
 * seccomp, terminal. Pure: reads nothing but its arguments.
 */
import { invalidArgument } from '@berth/errors';
import type { LinuxSeccomp, Process } from '../spec/types.js';
import type { NativePlan } from '../native/plan-types.js';
import { capabilityMask } from '../spec/capabilities.js';
import { rlimitResource } from '../spec/rlimits.js';
import { compileSeccomp } from '../seccomp/compile.js';

export type ProcessPlan = Pick<
  NativePlan,
  | 'args'
  | 'env'
  | 'pathEnv'
  | 'cwd'
  | 'uid'
  | 'gid'
  | 'additionalGids'
  | 'umask'
  | 'capBounding'
  | 'capEffective'
  | 'capPermitted'
  | 'capInheritable'
  | 'capAmbient'
  | 'rlimits'
  | 'noNewPrivileges'
  | 'oomScoreAdj'
  | 'seccompFilter'
  | 'seccompFlags'
  | 'terminal'
  | 'consoleSize'
>;

const MAX_ID = 0xffffffff;

function checkId(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ID)
    throw invalidArgument(`${field}: must be an integer between 0 and ${MAX_ID}`);
  return value;
}

/** process.consoleSize as runc 1.1 applies it: only with a terminal, only when both are non-zero. */
function consoleSize(proc: Process, field: string): { rows: number; cols: number } | undefined {
  const size = proc.consoleSize;
  if (!proc.terminal || size === undefined) return undefined;
  const dim = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff)
      throw invalidArgument(`${field}.consoleSize.${name}: must be an integer between 0 and 65535`);
    return v;
  };
  const rows = dim(size.height, 'height');
  const cols = dim(size.width, 'width');
  return rows > 0 && cols > 0 ? { rows, cols } : undefined;
}

/**
 * `warnings` are for the user (logged as warnings); `notes` only matter when
 * debugging: the seccomp compiler's notes about syscalls this kernel does not
 * know, which Docker's profile lists on purpose (runc logs them at debug level).
 */
export function planProcess(
  proc: Process | undefined,
  seccomp: LinuxSeccomp | undefined,
  field = 'process',
): { plan: ProcessPlan; warnings: string[]; notes: string[] } {
  const warnings: string[] = [];
  const notes: string[] = [];
  if (!proc) throw invalidArgument(`${field}: the process to run is missing from config.json`);
  if (!Array.isArray(proc.args) || proc.args.length === 0)
    throw invalidArgument(`${field}.args: args must not be empty`);
  proc.args.forEach((a, i) => {
    if (typeof a !== 'string') throw invalidArgument(`${field}.args[${i}]: must be a string`);
  });
  if (typeof proc.cwd !== 'string' || !proc.cwd.startsWith('/'))
    throw invalidArgument(`${field}.cwd: cwd property must be an absolute path (got ${JSON.stringify(proc.cwd)})`);
  const env = proc.env ?? [];
  env.forEach((e, i) => {
    if (typeof e !== 'string' || !e.includes('=')) throw invalidArgument(`${field}.env[${i}]: expected KEY=value, got ${JSON.stringify(e)}`);
  });
  if (!proc.user) throw invalidArgument(`${field}.user: the user (uid, gid) is required`);
  const uid = checkId(proc.user.uid, `${field}.user.uid`);
  const gid = checkId(proc.user.gid, `${field}.user.gid`);
  const additionalGids = (proc.user.additionalGids ?? []).map((g, i) => checkId(g, `${field}.user.additionalGids[${i}]`));
  if (proc.user.umask !== undefined && (!Number.isInteger(proc.user.umask) || proc.user.umask < 0 || proc.user.umask > 0o777))
    throw invalidArgument(`${field}.user.umask: must be between 0 and 0777`);

  const caps = proc.capabilities ?? {};
  const mask = (names: string[] | undefined, set: string) => {
    const r = capabilityMask(names ?? [], `${field}.capabilities.${set}`);
    for (const u of r.unknown) warnings.push(`${field}.capabilities.${set}: ignoring unknown or unsupported capability "${u}"`);
    return r.mask;
  };

  const rlimits = (proc.rlimits ?? []).map((r, i) => {
    const f = `${field}.rlimits[${i}]`;
    const resource = rlimitResource(r.type, `${f}.type`);
    if (typeof r.soft !== 'number' || typeof r.hard !== 'number') throw invalidArgument(`${f}: soft and hard are required numbers`);
    const soft = BigInt.asUintN(64, BigInt(Math.trunc(r.soft)));
    const hard = BigInt.asUintN(64, BigInt(Math.trunc(r.hard)));
    if (soft > hard) throw invalidArgument(`${f}: soft limit ${r.soft} is greater than the hard limit ${r.hard}`);
    return { resource, soft, hard };
  });
  const seen = new Set<number>();
  rlimits.forEach((r, i) => {
    if (seen.has(r.resource)) throw invalidArgument(`${field}.rlimits[${i}].type: duplicate rlimit ${proc.rlimits?.[i]?.type}`);
    seen.add(r.resource);
  });

  if (proc.oomScoreAdj !== undefined && (!Number.isInteger(proc.oomScoreAdj) || proc.oomScoreAdj < -1000 || proc.oomScoreAdj > 1000))
    throw invalidArgument(`${field}.oomScoreAdj: must be between -1000 and 1000`);
  if (proc.apparmorProfile) warnings.push(`${field}.apparmorProfile: AppArmor is not supported by berth-runc; the profile "${proc.apparmorProfile}" is not applied`);
  if (proc.selinuxLabel) warnings.push(`${field}.selinuxLabel: SELinux is not supported by berth-runc; the label is not applied`);
  if (proc.ioPriority) throw invalidArgument(`${field}.ioPriority: not supported by berth-runc`);
  if (proc.scheduler) throw invalidArgument(`${field}.scheduler: not supported by berth-runc`);

  let seccompFilter: Buffer | undefined;
  let seccompFlags = 0;
  if (seccomp) {
    const compiled = compileSeccomp(seccomp);
    seccompFilter = compiled.filter;
    seccompFlags = compiled.flags;
    notes.push(...compiled.warnings);
  }
  const pathEntry = [...env].reverse().find((e) => e.startsWith('PATH='));
  return {
    plan: {
      args: proc.args,
      env,
      pathEnv: pathEntry ? pathEntry.slice(5) : undefined,
      cwd: proc.cwd,
      uid,
      gid,
      additionalGids,
      umask: proc.user.umask,
      capBounding: mask(caps.bounding, 'bounding'),
      capEffective: mask(caps.effective, 'effective'),
      capPermitted: mask(caps.permitted, 'permitted'),
      capInheritable: mask(caps.inheritable, 'inheritable'),
      capAmbient: mask(caps.ambient, 'ambient'),
      rlimits,
      noNewPrivileges: proc.noNewPrivileges === true,
      oomScoreAdj: proc.oomScoreAdj,
      seccompFilter,
      seccompFlags,
      terminal: proc.terminal === true,
      consoleSize: consoleSize(proc, field),
    },
    warnings,
    notes,
  };
}
