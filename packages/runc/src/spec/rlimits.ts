/**
 * process.rlimits[].type -> the resource number setrlimit/prlimit take
 * (asm-generic/resource.h, which x86_64 and arm64 use).
 *
 * runc 1.1.5 knows exactly these sixteen names and rejects anything else when
 * it converts the spec, before creating anything:
 *   runc run failed: wrong rlimit value: RLIMIT_FOO
 * Our error names the field first and then carries runc's words, e.g.
 *   process.rlimits[1].type: wrong rlimit value: RLIMIT_FOO
 * (both checked against the real binary in rlimits.test.ts).
 */
import { invalidArgument } from '@berth/errors';

export const RLIMIT_RESOURCES: Readonly<Record<string, number>> = Object.freeze({
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
});

/** RLIM_INFINITY as the uint64 a config.json spells it with. */
export const RLIM_INFINITY = 18446744073709551615n;

/** runc's own message for an unknown type (without our field prefix). */
export function wrongRlimitMessage(type: string): string {
  return `wrong rlimit value: ${type}`;
}

/** The resource number for `type`; `field` names the config entry in the error. */
export function rlimitResource(type: string, field: string): number {
  if (typeof type === 'string' && Object.hasOwn(RLIMIT_RESOURCES, type)) return RLIMIT_RESOURCES[type]!;
  throw invalidArgument(`${field}: ${wrongRlimitMessage(String(type))}`);
}
