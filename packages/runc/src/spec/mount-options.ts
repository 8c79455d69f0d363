/**
 * mounts[].options -> mount(2) flags, propagation changes, mount_setattr(2)
 * recursive attributes and filesystem data, the way runc 1.1.5's specconv
 * splits them; and linux.rootfsPropagation -> flags.
 *
 * Rules (same as runc, checked against the real binary in the test):
 * - Options are applied left to right: "ro,rw" ends read-write.
 * - Propagation options are kept as a list, in order, each applied by its own
 *   mount(2) call after the mount exists.
 * - "rro", "rnosuid", ... (the r-prefixed attributes) go to mount_setattr with
 *   AT_RECURSIVE. Setting an atime mode also clears MOUNT_ATTR__ATIME, as the
 *   man page demands. MOUNT_ATTR_RELATIME is 0, so "rrelatime" just clears
 *   the atime bits and "rnorelatime" does nothing at all - as in runc.
 * - "tmpcopyup" is not a kernel flag: the caller copies the directory's old
 *   contents into the fresh tmpfs.
 * - Anything else is filesystem data, joined with "," in order.
 * One deliberate difference: runc 1.1.5 lists "defaults" as a flag with value
 * 0 but then sends it on as data ("data: defaults"), which tmpfs and most
 * filesystems reject with EINVAL. "defaults" means "no flags" everywhere else
 * (fstab, mount(8)), so we drop it.
 */
import { invalidArgument } from '@berth/errors';
import { goSortStrings } from './go-json.js';

export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_SYNCHRONOUS = 16;
export const MS_REMOUNT = 32;
export const MS_MANDLOCK = 64;
export const MS_DIRSYNC = 128;
export const MS_NOSYMFOLLOW = 256;
export const MS_NOATIME = 1024;
export const MS_NODIRATIME = 2048;
export const MS_BIND = 4096;
export const MS_MOVE = 8192;
export const MS_REC = 16384;
export const MS_SILENT = 32768;
export const MS_POSIXACL = 1 << 16;
export const MS_UNBINDABLE = 1 << 17;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
export const MS_RELATIME = 1 << 21;
export const MS_I_VERSION = 1 << 23;
export const MS_STRICTATIME = 1 << 24;
export const MS_LAZYTIME = 1 << 25;

export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOUNT_ATTR__ATIME = 0x70;
export const MOUNT_ATTR_RELATIME = 0x0;
export const MOUNT_ATTR_NOATIME = 0x10;
export const MOUNT_ATTR_STRICTATIME = 0x20;
export const MOUNT_ATTR_NODIRATIME = 0x80;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

type Entry = readonly [clear: boolean, flag: number];

/** Options that set (false) or clear (true) a mount(2) flag. */
export const MOUNT_FLAG_OPTIONS: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  ['acl', [false, MS_POSIXACL]],
  ['async', [true, MS_SYNCHRONOUS]],
  ['atime', [true, MS_NOATIME]],
  ['bind', [false, MS_BIND]],
  ['defaults', [false, 0]],
  ['dev', [true, MS_NODEV]],
  ['diratime', [true, MS_NODIRATIME]],
  ['dirsync', [false, MS_DIRSYNC]],
  ['exec', [true, MS_NOEXEC]],
  ['iversion', [false, MS_I_VERSION]],
  ['lazytime', [false, MS_LAZYTIME]],
  ['loud', [true, MS_SILENT]],
  ['mand', [false, MS_MANDLOCK]],
  ['noacl', [true, MS_POSIXACL]],
  ['noatime', [false, MS_NOATIME]],
  ['nodev', [false, MS_NODEV]],
  ['nodiratime', [false, MS_NODIRATIME]],
  ['noexec', [false, MS_NOEXEC]],
  ['noiversion', [true, MS_I_VERSION]],
  ['nolazytime', [true, MS_LAZYTIME]],
  ['nomand', [true, MS_MANDLOCK]],
  ['norelatime', [true, MS_RELATIME]],
  ['nostrictatime', [true, MS_STRICTATIME]],
  ['nosuid', [false, MS_NOSUID]],
  ['nosymfollow', [false, MS_NOSYMFOLLOW]],
  ['rbind', [false, MS_BIND | MS_REC]],
  ['relatime', [false, MS_RELATIME]],
  ['remount', [false, MS_REMOUNT]],
  ['ro', [false, MS_RDONLY]],
  ['rw', [true, MS_RDONLY]],
  ['silent', [false, MS_SILENT]],
  ['strictatime', [false, MS_STRICTATIME]],
  ['suid', [true, MS_NOSUID]],
  ['sync', [false, MS_SYNCHRONOUS]],
  ['symfollow', [true, MS_NOSYMFOLLOW]],
]);

/** Propagation options (also the values linux.rootfsPropagation accepts). */
export const PROPAGATION_OPTIONS: ReadonlyMap<string, number> = new Map([
  ['rprivate', MS_PRIVATE | MS_REC],
  ['private', MS_PRIVATE],
  ['rslave', MS_SLAVE | MS_REC],
  ['slave', MS_SLAVE],
  ['rshared', MS_SHARED | MS_REC],
  ['shared', MS_SHARED],
  ['runbindable', MS_UNBINDABLE | MS_REC],
  ['unbindable', MS_UNBINDABLE],
]);

/** Recursive attributes for mount_setattr(2): set (false) or clear (true). */
export const REC_ATTR_OPTIONS: ReadonlyMap<string, Entry> = new Map<string, Entry>([
  ['rro', [false, MOUNT_ATTR_RDONLY]],
  ['rrw', [true, MOUNT_ATTR_RDONLY]],
  ['rnosuid', [false, MOUNT_ATTR_NOSUID]],
  ['rsuid', [true, MOUNT_ATTR_NOSUID]],
  ['rnodev', [false, MOUNT_ATTR_NODEV]],
  ['rdev', [true, MOUNT_ATTR_NODEV]],
  ['rnoexec', [false, MOUNT_ATTR_NOEXEC]],
  ['rexec', [true, MOUNT_ATTR_NOEXEC]],
  ['rnodiratime', [false, MOUNT_ATTR_NODIRATIME]],
  ['rdiratime', [true, MOUNT_ATTR_NODIRATIME]],
  ['rrelatime', [false, MOUNT_ATTR_RELATIME]],
  ['rnorelatime', [true, MOUNT_ATTR_RELATIME]],
  ['rnoatime', [false, MOUNT_ATTR_NOATIME]],
  ['ratime', [true, MOUNT_ATTR_NOATIME]],
  ['rstrictatime', [false, MOUNT_ATTR_STRICTATIME]],
  ['rnostrictatime', [true, MOUNT_ATTR_STRICTATIME]],
  ['rnosymfollow', [false, MOUNT_ATTR_NOSYMFOLLOW]],
  ['rsymfollow', [true, MOUNT_ATTR_NOSYMFOLLOW]],
]);

/** Options that are neither kernel flags nor data; the runtime acts on them itself. */
export const EXTENSION_OPTIONS: readonly string[] = ['tmpcopyup'];

export interface ParsedMountOptions {
  /** mount(2) flags after applying every option in order. */
  flags: number;
  /** Flags some option explicitly cleared (and no later option set again). */
  clearFlags: number;
  /** Each propagation change, in order, for its own mount(2) call. */
  propagation: number[];
  /** Filesystem-specific data, comma-joined ("" if none). */
  data: string;
  /** mount_setattr(AT_RECURSIVE) attributes, when any r* attribute was given. */
  recAttr?: { attrSet: number; attrClr: number };
  /** Copy the target's existing contents into the new tmpfs. */
  tmpcopyup: boolean;
}

export function parseMountOptions(options: readonly string[]): ParsedMountOptions {
  let flags = 0;
  let clearFlags = 0;
  let attrSet = 0;
  let attrClr = 0;
  let tmpcopyup = false;
  const propagation: number[] = [];
  const data: string[] = [];
  for (const o of options) {
    const flag = MOUNT_FLAG_OPTIONS.get(o);
    if (flag) {
      const [clear, bit] = flag;
      if (clear) {
        flags &= ~bit;
        clearFlags |= bit;
      } else {
        flags |= bit;
        clearFlags &= ~bit;
      }
      continue;
    }
    const prop = PROPAGATION_OPTIONS.get(o);
    if (prop !== undefined) {
      propagation.push(prop);
      continue;
    }
    const attr = REC_ATTR_OPTIONS.get(o);
    if (attr) {
      const [clear, bit] = attr;
      if (clear) {
        attrClr |= bit;
      } else {
        attrSet |= bit;
        if ((bit & MOUNT_ATTR__ATIME) === bit) attrClr |= MOUNT_ATTR__ATIME;
      }
      continue;
    }
    if (o === 'tmpcopyup') {
      tmpcopyup = true;
      continue;
    }
    data.push(o);
  }
  const parsed: ParsedMountOptions = { flags, clearFlags, propagation, data: data.join(','), tmpcopyup };
  if (attrSet !== 0 || attrClr !== 0) parsed.recAttr = { attrSet, attrClr };
  return parsed;
}

/** runc's message for a bad linux.rootfsPropagation (after our field prefix). */
export function badPropagationMessage(value: string): string {
  return `rootfsPropagation=${value} is not supported`;
}

/**
 * linux.rootfsPropagation -> the flags for remounting "/" in the container's
 * mount namespace. Empty or absent means MS_SLAVE|MS_REC: host mounts still
 * propagate in, nothing propagates out (confirmed with runc run under a
 * shared-propagation namespace: the container root shows "master:N").
 */
export function propagationFlags(value: string | undefined, field: string): number {
  if (value === undefined || value === '') return MS_SLAVE | MS_REC;
  const flags = typeof value === 'string' ? PROPAGATION_OPTIONS.get(value) : undefined;
  if (flags === undefined) throw invalidArgument(`${field}: ${badPropagationMessage(String(value))}`);
  return flags;
}

/** Every option name runc 1.1.5 knows, sorted: the `runc features` mountOptions list. */
export function knownMountOptions(): string[] {
  return goSortStrings([
    ...MOUNT_FLAG_OPTIONS.keys(),
    ...PROPAGATION_OPTIONS.keys(),
    ...REC_ATTR_OPTIONS.keys(),
    ...EXTENSION_OPTIONS,
  ]);
}
