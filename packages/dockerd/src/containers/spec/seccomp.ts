/**
 * The OCI seccomp section of a container, as moby's profiles/seccomp builds it:
 * docker's default profile, none ("unconfined"), or a user's profile (the JSON
 * `docker run --security-opt seccomp=file.json` sends). Rules are kept or dropped
 * by the container's capabilities, the daemon's architecture and the kernel.
 */
import os from 'node:os';
import { invalidArgument } from '@berth/errors';
import type { Seccomp } from './oci.js';
import {
  type ArchGroup,
  type DockerProfile,
  type ProfileRule,
  type RuleFilter,
  type SeccompArg,
  defaultProfile,
} from './seccomp-default.js';

type OciRule = NonNullable<Seccomp['syscalls']>[number];

/**
 * opt: undefined (or "builtin") = docker's default profile; 'unconfined' = none;
 * otherwise a docker seccomp profile's JSON. caps: the container's capabilities.
 * arch: process.arch of the daemon.
 */
export function seccompFor(opt: string | undefined, caps: string[], arch: string = process.arch): Seccomp | undefined {
  if (opt === 'unconfined') return undefined;
  const profile = opt === undefined || opt === '' || opt === 'builtin' ? defaultProfile : parseProfile(opt);
  if (profile === undefined) return undefined;
  return toOci(profile, { caps: new Set(caps), ...archNames(arch), kernel: kernelVersion() });
}

interface Host {
  caps: ReadonlySet<string>;
  /** moby's name for the arch (what includes/excludes.arches list). */
  native: string;
  /** Its SCMP_ARCH_ name, the key of archMap. */
  scmp: string | undefined;
  kernel: [number, number] | undefined;
}

/** Node's process.arch -> moby's arch name and libseccomp's. */
const ARCHES: Readonly<Record<string, [string, string | undefined]>> = {
  x64: ['amd64', 'SCMP_ARCH_X86_64'],
  ia32: ['x86', 'SCMP_ARCH_X86'],
  arm64: ['arm64', 'SCMP_ARCH_AARCH64'],
  arm: ['arm', 'SCMP_ARCH_ARM'],
  loong64: ['loongarch64', 'SCMP_ARCH_LOONGARCH64'],
  mips: ['mips', 'SCMP_ARCH_MIPS'],
  mipsel: ['mipsel', 'SCMP_ARCH_MIPSEL'],
  ppc: ['ppc', 'SCMP_ARCH_PPC'],
  // Node calls both ppc64 flavours "ppc64"; Linux on POWER is little-endian nowadays.
  ppc64: os.endianness() === 'LE' ? ['ppc64le', 'SCMP_ARCH_PPC64LE'] : ['ppc64', 'SCMP_ARCH_PPC64'],
  riscv64: ['riscv64', 'SCMP_ARCH_RISCV64'],
  s390: ['s390', 'SCMP_ARCH_S390'],
  s390x: ['s390x', 'SCMP_ARCH_S390X'],
};

function archNames(arch: string): { native: string; scmp: string | undefined } {
  const known = ARCHES[arch] ?? Object.values(ARCHES).find(([native]) => native === arch);
  return known ? { native: known[0], scmp: known[1] } : { native: arch, scmp: undefined };
}

/** "<kernel>.<major>" of the running kernel; moby ignores the rest ("6.8.0-45-generic"). */
function kernelVersion(): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(os.release());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function kernelAtLeast(host: Host, min: string): boolean {
  const [kernel = 0, major = 0] = min.split('.').map(Number);
  // moby fails the whole profile when uname cannot be parsed; say so the same way.
  if (host.kernel === undefined) throw invalidArgument(`failed to parse kernel version "${os.release()}"`);
  return host.kernel[0] > kernel || (host.kernel[0] === kernel && host.kernel[1] >= major);
}

/** Every condition of an `includes` holds. */
function included(f: RuleFilter | undefined, host: Host): boolean {
  if (f === undefined) return true;
  if (f.arches?.length && !f.arches.includes(host.native)) return false;
  if (f.caps?.some((c) => !host.caps.has(c))) return false;
  return f.minKernel === undefined || kernelAtLeast(host, f.minKernel);
}

/** Any condition of an `excludes` holds. */
function excluded(f: RuleFilter | undefined, host: Host): boolean {
  if (f === undefined) return false;
  if (f.arches?.includes(host.native)) return true;
  if (f.caps?.some((c) => host.caps.has(c))) return true;
  return f.minKernel !== undefined && kernelAtLeast(host, f.minKernel);
}

function toOci(profile: DockerProfile, host: Host): Seccomp {
  const out: Seccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const group = profile.archMap?.find((g) => g.arch === host.scmp);
  const arches = profile.architectures ?? (group ? [group.arch, ...group.subArches] : []);
  if (arches.length > 0) out.architectures = [...arches];

  const syscalls: OciRule[] = [];
  for (const rule of profile.rules) {
    if (excluded(rule.excludes, host) || !included(rule.includes, host)) continue;
    const entry: OciRule = { names: [...rule.names], action: rule.action };
    if (rule.args?.length) entry.args = rule.args.map((a) => ({ ...a }));
    if (rule.errnoRet !== undefined) entry.errnoRet = rule.errnoRet;
    // Only neighbours merge: the runtime tries a syscall's rules in order, so
    // moving a rule past another could change which one decides.
    const last = syscalls[syscalls.length - 1];
    if (last !== undefined && sameOutcome(last, entry)) {
      for (const name of entry.names) if (!last.names.includes(name)) last.names.push(name);
    } else {
      syscalls.push(entry);
    }
  }
  if (syscalls.length > 0) out.syscalls = syscalls;
  return out;
}

function sameOutcome(a: OciRule, b: OciRule): boolean {
  return a.action === b.action && a.errnoRet === b.errnoRet && JSON.stringify(a.args) === JSON.stringify(b.args);
}

// ---- a user's profile (docker's JSON format) ----

/** What berth-runc accepts; SCMP_ACT_NOTIFY needs a listener it does not have. */
const ACTIONS = new Set(
  ['KILL', 'KILL_PROCESS', 'KILL_THREAD', 'TRAP', 'ERRNO', 'TRACE', 'ALLOW', 'LOG'].map((a) => `SCMP_ACT_${a}`),
);
const OPS = new Set(['NE', 'LT', 'LE', 'EQ', 'GE', 'GT', 'MASKED_EQ'].map((o) => `SCMP_CMP_${o}`));
const SCMP_ARCHES = new Set(
  [
    'X86', 'X86_64', 'X32', 'ARM', 'AARCH64', 'MIPS', 'MIPS64', 'MIPS64N32', 'MIPSEL', 'MIPSEL64', 'MIPSEL64N32',
    'PPC', 'PPC64', 'PPC64LE', 'S390', 'S390X', 'PARISC', 'PARISC64', 'RISCV64', 'LOONGARCH64', 'M68K', 'SH', 'SHEB',
  ].map((a) => `SCMP_ARCH_${a}`),
);

const fail = (why: string): Error => invalidArgument(`Decoding seccomp profile failed: ${why}`);
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const given = (v: unknown): boolean => v !== undefined && v !== null;

function str(v: unknown, field: string, allowed?: ReadonlySet<string>): string {
  if (typeof v !== 'string') throw fail(`${field}: expected a string, got ${JSON.stringify(v)}`);
  if (allowed && !allowed.has(v)) throw fail(`${field}: unknown value ${JSON.stringify(v)}`);
  return v;
}

function strList(v: unknown, field: string, allowed?: ReadonlySet<string>): string[] {
  if (!given(v)) return [];
  if (!Array.isArray(v)) throw fail(`${field}: expected an array`);
  return v.map((x, i) => str(x, `${field}[${i}]`, allowed));
}

function action(v: unknown, field: string): string {
  if (v === 'SCMP_ACT_NOTIFY') throw fail(`${field}: SCMP_ACT_NOTIFY is not supported (no seccomp notify listener)`);
  return str(v, field, ACTIONS);
}

function uint(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  // JSON numbers above 2^53 are already rounded by the parser, so they are refused.
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw fail(`${field}: expected an integer in 0..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The profile, or undefined when it sets neither a default action nor rules (moby: no seccomp). */
function parseProfile(text: string): DockerProfile | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw fail((err as Error).message);
  }
  if (!isObj(raw)) throw fail('expected a JSON object');
  const defaultAction = given(raw.defaultAction) ? str(raw.defaultAction, 'defaultAction') : '';
  const rules = given(raw.syscalls) ? parseRules(raw.syscalls) : [];
  if (defaultAction === '' && rules.length === 0) return undefined;
  if (defaultAction === '') throw fail('defaultAction: must be set when syscalls are listed');
  action(defaultAction, 'defaultAction');
  const architectures = strList(raw.architectures, 'architectures', SCMP_ARCHES);
  const archMap = given(raw.archMap) ? parseArchMap(raw.archMap) : [];
  if (architectures.length > 0 && archMap.length > 0) {
    throw invalidArgument(
      "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
  }
  // flags, listenerPath and listenerMetadata are not passed on (no notify listener support).
  const profile: DockerProfile = { defaultAction, rules, archMap };
  if (architectures.length > 0) profile.architectures = architectures;
  if (given(raw.defaultErrnoRet)) profile.defaultErrnoRet = uint(raw.defaultErrnoRet, 'defaultErrnoRet', 0xffff);
  return profile;
}

function parseArchMap(v: unknown): ArchGroup[] {
  if (!Array.isArray(v)) throw fail('archMap: expected an array');
  return v.map((g: unknown, i): ArchGroup => {
    if (!isObj(g)) throw fail(`archMap[${i}]: expected an object`);
    return {
      arch: str(g.architecture, `archMap[${i}].architecture`, SCMP_ARCHES),
      subArches: strList(g.subArchitectures, `archMap[${i}].subArchitectures`, SCMP_ARCHES),
    };
  });
}

function parseRules(v: unknown): ProfileRule[] {
  if (!Array.isArray(v)) throw fail('syscalls: expected an array');
  return v.map((r: unknown, i): ProfileRule => {
    const field = `syscalls[${i}]`;
    if (!isObj(r)) throw fail(`${field}: expected an object`);
    let names = strList(r.names, `${field}.names`);
    if (given(r.name) && r.name !== '') {
      if (names.length > 0) {
        throw invalidArgument(
          "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'",
        );
      }
      names = [str(r.name, `${field}.name`)];
    }
    if (names.length === 0) throw fail(`${field}: names must list at least one syscall`);
    const rule: ProfileRule = { names, action: action(r.action, `${field}.action`) };
    if (given(r.errnoRet)) rule.errnoRet = uint(r.errnoRet, `${field}.errnoRet`, 0xffff);
    if (given(r.args)) rule.args = parseArgs(r.args, `${field}.args`);
    if (given(r.includes)) rule.includes = parseFilter(r.includes, `${field}.includes`);
    if (given(r.excludes)) rule.excludes = parseFilter(r.excludes, `${field}.excludes`);
    return rule;
  });
}

function parseArgs(v: unknown, field: string): SeccompArg[] {
  if (!Array.isArray(v)) throw fail(`${field}: expected an array`);
  return v.map((a: unknown, i): SeccompArg => {
    if (!isObj(a)) throw fail(`${field}[${i}]: expected an object`);
    const arg: SeccompArg = {
      index: uint(a.index, `${field}[${i}].index`, 5),
      value: given(a.value) ? uint(a.value, `${field}[${i}].value`) : 0,
      op: str(a.op, `${field}[${i}].op`, OPS),
    };
    if (given(a.valueTwo)) arg.valueTwo = uint(a.valueTwo, `${field}[${i}].valueTwo`);
    return arg;
  });
}

function parseFilter(v: unknown, field: string): RuleFilter {
  if (!isObj(v)) throw fail(`${field}: expected an object`);
  const filter: RuleFilter = { caps: strList(v.caps, `${field}.caps`), arches: strList(v.arches, `${field}.arches`) };
  if (given(v.minKernel) && v.minKernel !== '') {
    const min = str(v.minKernel, `${field}.minKernel`);
    const m = /^(\d{1,3})\.(\d{1,3})$/.exec(min);
    if (!m || Number(m[1]) > 255 || Number(m[2]) > 255 || (m[1] === '0' && m[2] === '0')) {
      throw fail(`invalid kernel version: ${JSON.stringify(min)}, expected "<kernel>.<major>"`);
    }
    filter.minKernel = min;
  }
  return filter;
}
