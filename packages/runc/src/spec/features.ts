/**
 * `berth-runc features`: the same document `runc features` (1.1.5) prints,
 * listing what *this* runtime supports.
 *
 * Format (from the real binary): json.Encoder with SetIndent("", "    "), so
 * four-space indent, a trailing newline, HTML-safe escaping, struct fields in
 * declaration order, lists sorted (runc sorts every list it builds from a Go
 * map; hooks and capabilities keep their table order), annotations sorted.
 *
 * Where we differ from runc's values, on purpose:
 * - seccomp archs: only the x86 family our BPF compiler emits. runc sorts the
 *   list, so we print it sorted too: X32, X86, X86_64.
 * - seccomp actions: no SCMP_ACT_NOTIFY (we have no listener support).
 * - apparmor/selinux: enabled false. Still printed: runc's fields are
 *   pointers, so false is written rather than left out.
 * - cgroup: v1 and v2 drivers, no systemd driver.
 * - annotations: runc.version/commit are ours (same values as --version);
 *   checkpoint.enabled is "false" (no CRIU); no libseccomp version, since
 *   runc itself omits that key when built without libseccomp.
 * "time" is not among the namespaces: runc 1.1.5 does not know it either.
 */
import { CAPABILITY_NAMES } from './capabilities.js';
import { goMarshalIndent } from './go-json.js';
import { knownMountOptions } from './mount-options.js';
import { encodeGo } from './spec-json.js';
import { type GoType, map, opt, ptr, slice, struct } from './spec-schema.js';
import { OCI_VERSION, RUNC_COMMIT, RUNC_VERSION } from './version.js';

export interface Features {
  ociVersionMin?: string;
  ociVersionMax?: string;
  hooks?: string[];
  mountOptions?: string[];
  linux?: {
    namespaces?: string[];
    capabilities?: string[];
    cgroup?: { v1?: boolean; v2?: boolean; systemd?: boolean; systemdUser?: boolean };
    seccomp?: { enabled?: boolean; actions?: string[]; operators?: string[]; archs?: string[] };
    apparmor?: { enabled?: boolean };
    selinux?: { enabled?: boolean };
  };
  annotations?: Record<string, string>;
}

const strings = slice('string');
const enabled = struct(ptr('enabled', 'bool'));

/** github.com/opencontainers/runc/types/features.Features, in field order. */
const FEATURES_TYPE: GoType = struct(
  opt('ociVersionMin', 'string'),
  opt('ociVersionMax', 'string'),
  opt('hooks', strings),
  opt('mountOptions', strings),
  ptr(
    'linux',
    struct(
      opt('namespaces', strings),
      opt('capabilities', strings),
      ptr(
        'cgroup',
        struct(ptr('v1', 'bool'), ptr('v2', 'bool'), ptr('systemd', 'bool'), ptr('systemdUser', 'bool')),
      ),
      ptr(
        'seccomp',
        struct(ptr('enabled', 'bool'), opt('actions', strings), opt('operators', strings), opt('archs', strings)),
      ),
      ptr('apparmor', enabled),
      ptr('selinux', enabled),
    ),
  ),
  opt('annotations', map('string')),
);

export const ANNOTATION_RUNC_VERSION = 'org.opencontainers.runc.version';
export const ANNOTATION_RUNC_COMMIT = 'org.opencontainers.runc.commit';
export const ANNOTATION_CHECKPOINT_ENABLED = 'org.opencontainers.runc.checkpoint.enabled';

/** The hook names in the order runc lists them (prestart first, deprecated but run). */
export const HOOK_NAMES: readonly string[] = [
  'prestart',
  'createRuntime',
  'createContainer',
  'startContainer',
  'poststart',
  'poststop',
];

/** The namespace types we (and runc 1.1.5) accept, sorted. */
export const NAMESPACE_TYPES: readonly string[] = ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts'];

export const SECCOMP_ACTIONS: readonly string[] = [
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_LOG',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_TRAP',
];

export const SECCOMP_OPERATORS: readonly string[] = [
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_LE',
  'SCMP_CMP_LT',
  'SCMP_CMP_MASKED_EQ',
  'SCMP_CMP_NE',
];

export const SECCOMP_ARCHS: readonly string[] = ['SCMP_ARCH_X32', 'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64'];

/** What this runtime supports, as a fresh object. */
export function features(): Features {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: [...HOOK_NAMES],
    mountOptions: knownMountOptions(),
    linux: {
      namespaces: [...NAMESPACE_TYPES],
      capabilities: [...CAPABILITY_NAMES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false },
      seccomp: {
        enabled: true,
        actions: [...SECCOMP_ACTIONS],
        operators: [...SECCOMP_OPERATORS],
        archs: [...SECCOMP_ARCHS],
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
    },
    annotations: {
      [ANNOTATION_RUNC_VERSION]: RUNC_VERSION,
      [ANNOTATION_RUNC_COMMIT]: RUNC_COMMIT,
      [ANNOTATION_CHECKPOINT_ENABLED]: 'false',
    },
  };
}

/** The exact text `features` prints, trailing newline included. */
export function formatFeatures(f: Features = features()): string {
  return goMarshalIndent(encodeGo(FEATURES_TYPE, f, ''), '', '    ') + '\n';
}
