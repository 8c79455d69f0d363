/**
 * cgroup v1 devices controller. The kernel keeps a default (allow or deny)
 * plus a list of exceptions; devices.list only shows the exceptions of a
 * deny-by-default cgroup ("a *:* rwm" for allow-by-default, whose deny
 * exceptions are invisible). Writing "a" to devices.deny/allow resets it.
 *
 * Like runc, we model both the current and wanted state and write the smallest
 * set of rules that moves one to the other, so updating a running container
 * never opens a window where its devices are all denied (or allowed).
 */
import { invalidArgument } from '@berth/errors';
import type { LinuxDeviceCgroup } from '../spec/types.js';

/** Plain code-unit order: localeCompare would load ICU's collator (~15 ms at start-up). */
function compareType(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type DeviceType = 'a' | 'b' | 'c';

export interface DeviceRule {
  type: DeviceType;
  /** -1 is the "*" wildcard. */
  major: number;
  minor: number;
  /** Subset of "rwm". */
  access: string;
  allow: boolean;
}

/** Access strings normalised to "rwm" order, no duplicates. */
function perms(s: string): string {
  return ['r', 'w', 'm'].filter((c) => s.includes(c)).join('');
}
const union = (a: string, b: string): string => perms(a + b);
const minus = (a: string, b: string): string => perms([...a].filter((c) => !b.includes(c)).join(''));
const intersect = (a: string, b: string): string => perms([...a].filter((c) => b.includes(c)).join(''));

export function ruleString(r: Pick<DeviceRule, 'type' | 'major' | 'minor' | 'access'>): string {
  const n = (v: number): string => (v < 0 ? '*' : String(v));
  return `${r.type} ${n(r.major)}:${n(r.minor)} ${r.access}`;
}

/** OCI linux.resources.devices -> rules, validated like runc's specconv. */
export function rulesFromSpec(devices: LinuxDeviceCgroup[]): DeviceRule[] {
  return devices.map((d, i) => {
    const field = `linux.resources.devices[${i}]`;
    const type = d.type === undefined || d.type === '' ? 'a' : d.type;
    if (type !== 'a' && type !== 'b' && type !== 'c') {
      throw invalidArgument(`${field}.type: invalid cgroup device type ${JSON.stringify(d.type)}`);
    }
    if (!d.access) throw invalidArgument(`${field}.access: device access cannot be empty`);
    if (!/^[rwm]+$/.test(d.access)) {
      throw invalidArgument(`${field}.access: invalid device access ${JSON.stringify(d.access)}`);
    }
    const num = (v: number | null | undefined): number => (v === undefined || v === null ? -1 : v);
    return { type, major: num(d.major), minor: num(d.minor), access: perms(d.access), allow: d.allow };
  });
}

interface Exception {
  type: DeviceType;
  major: number;
  minor: number;
  access: string;
}
const keyOf = (e: Pick<Exception, 'type' | 'major' | 'minor'>): string => `${e.type} ${e.major}:${e.minor}`;

export class DeviceEmulator {
  defaultAllow = false;
  rules = new Map<string, Exception>();

  /** State described by a devices.list text. */
  static fromList(text: string): DeviceEmulator {
    const e = new DeviceEmulator();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const m = /^([abc])\s+(\d+|\*):(\d+|\*)\s+([rwm]+)$/.exec(line.trim());
      if (!m) throw invalidArgument(`linux.resources.devices: cannot parse devices.list line ${JSON.stringify(line)}`);
      const n = (v: string): number => (v === '*' ? -1 : Number(v));
      e.apply({ type: m[1] as DeviceType, major: n(m[2]!), minor: n(m[3]!), access: m[4]!, allow: true });
    }
    return e;
  }

  /** State after applying `rules` in order to a fresh deny-all cgroup. */
  static fromRules(rules: DeviceRule[]): DeviceEmulator {
    const e = new DeviceEmulator();
    for (const r of rules) e.apply(r);
    return e;
  }

  apply(rule: DeviceRule): void {
    if (rule.type === 'a') {
      // The kernel ignores major/minor/access for type "a": it is a reset.
      this.defaultAllow = rule.allow;
      this.rules = new Map();
      return;
    }
    // An exception in the default's own direction removes access from an
    // existing exception; the opposite direction adds one.
    if (rule.allow === this.defaultAllow) this.remove(rule);
    else this.add(rule);
  }

  private add(r: DeviceRule): void {
    const key = keyOf(r);
    const old = this.rules.get(key)?.access ?? '';
    this.rules.set(key, { type: r.type, major: r.major, minor: r.minor, access: union(old, r.access) });
  }

  private remove(r: DeviceRule): void {
    // cgroup v1 silently ignores removing part of a wildcard exception
    // ("c 1:3" from "c *:* rwm"); runc refuses such rules, and so do we.
    for (const [major, minor] of [[-1, r.minor], [r.major, -1], [-1, -1]] as const) {
      if (major === r.major && minor === r.minor) continue;
      const partial = this.rules.get(keyOf({ type: r.type, major, minor }));
      if (partial && intersect(partial.access, r.access) !== '') {
        throw invalidArgument(
          `linux.resources.devices: rule "${ruleString(r)}" is not supported by the cgroup v1 devices controller ` +
            `(cannot punch a hole in the wildcard rule "${ruleString(partial)}")`,
        );
      }
    }
    const key = keyOf(r);
    const cur = this.rules.get(key);
    if (!cur) return;
    const left = minus(cur.access, r.access);
    if (left === '') this.rules.delete(key);
    else this.rules.set(key, { ...cur, access: left });
  }

  /** Exceptions sorted by (major, minor, type) so output is deterministic. */
  ordered(): Exception[] {
    return [...this.rules.values()].sort(
      (a, b) => a.major - b.major || a.minor - b.minor || compareType(a.type, b.type),
    );
  }

  equals(o: DeviceEmulator): boolean {
    if (this.defaultAllow !== o.defaultAllow || this.rules.size !== o.rules.size) return false;
    for (const [k, v] of this.rules) if (o.rules.get(k)?.access !== v.access) return false;
    return true;
  }

  /**
   * The rules to write to move from this state to `target`. A reset ("a") is
   * only needed when the default changes, or when we start from allow-all:
   * its deny exceptions cannot be read back, so we cannot diff against them.
   */
  transition(target: DeviceEmulator): DeviceRule[] {
    const out: DeviceRule[] = [];
    let old = this.rules;
    if (this.defaultAllow || this.defaultAllow !== target.defaultAllow) {
      out.push({ type: 'a', major: -1, minor: -1, access: 'rwm', allow: target.defaultAllow });
      old = new Map();
    }
    const oldSorted = [...old.values()].sort(
      (a, b) => a.major - b.major || a.minor - b.minor || compareType(a.type, b.type),
    );
    for (const e of oldSorted) {
      const dropped = minus(e.access, target.rules.get(keyOf(e))?.access ?? '');
      if (dropped !== '') out.push({ ...e, access: dropped, allow: target.defaultAllow });
    }
    for (const e of target.ordered()) {
      const gained = minus(e.access, old.get(keyOf(e))?.access ?? '');
      if (gained !== '') out.push({ ...e, access: gained, allow: !target.defaultAllow });
    }
    return out;
  }
}

/**
 * The devices runc 1.1 always allows (appended after the config's rules by
 * its spec conversion, not by the cgroup manager): mknod of any char/block
 * device, /dev/null, random, full, tty, zero, urandom, pts, ptmx and tun.
 * Exported for the runtime, which builds the full rule list.
 */
export const RUNC_DEFAULT_ALLOWED_DEVICES: LinuxDeviceCgroup[] = [
  { allow: true, type: 'c', major: null, minor: null, access: 'm' },
  { allow: true, type: 'b', major: null, minor: null, access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 136, minor: null, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];
