/**
 * Small synchronous helpers for cgroupfs files. Every cgroup knob is a plain
 * file; the kernel validates a value when it is written (one value per
 * write(2)), so a rejected write leaves the old value in place and the errno
 * tells why. Errors here always name the OCI config field that caused the
 * write, e.g. `linux.resources.pids.limit: write pids.max: Invalid argument`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BerthError, failedPrecondition, internal, invalidArgument, notFound } from '@berth/errors';

/** glibc's strerror() text, which is what runc/Go users expect to read. */
const STRERROR: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  E2BIG: 'Argument list too long',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ERANGE: 'Numerical result out of range',
  ENOTEMPTY: 'Directory not empty',
  EOPNOTSUPP: 'Operation not supported',
  ENOTSUP: 'Operation not supported',
  EOVERFLOW: 'Value too large for defined data type',
};

export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function strerror(err: unknown): string {
  const code = errnoCode(err);
  if (code !== undefined) return STRERROR[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turn a failed syscall into a BerthError whose kind follows the errno:
 * EINVAL/ERANGE mean the kernel refused the value itself; ENOENT/EBUSY/ENOSPC
 * and permission errors mean the value may be fine but this system or this
 * cgroup cannot take it now.
 */
export function sysError(field: string, what: string, err: unknown): BerthError {
  const msg = `${field}: ${what}: ${strerror(err)}`;
  switch (errnoCode(err)) {
    case 'EINVAL':
    case 'ERANGE':
    case 'EOVERFLOW':
      return invalidArgument(msg, err);
    case 'ENOENT':
    case 'ENODEV':
    case 'EBUSY':
    case 'ENOSPC':
    case 'EPERM':
    case 'EACCES':
    case 'EROFS':
    case 'EOPNOTSUPP':
    case 'ENOTSUP':
      return failedPrecondition(msg, err);
    default:
      return internal(msg, err);
  }
}

/**
 * One write(2) of `value` to dir/file. Opened O_WRONLY without O_CREAT or
 * O_TRUNC-on-create semantics: cgroupfs files cannot be created, and a missing
 * file (controller not mounted/enabled) must read as ENOENT, not EACCES.
 * Some knobs are write-only (devices.allow, cgroup.kill), so never O_RDWR.
 */
export function writeRaw(dir: string, file: string, value: string): void {
  const fd = fs.openSync(path.join(dir, file), fs.constants.O_WRONLY | fs.constants.O_TRUNC);
  try {
    fs.writeSync(fd, value);
  } finally {
    fs.closeSync(fd);
  }
}

/** writeRaw, with errors naming `field` and the file. */
export function writeFile(dir: string, file: string, value: string, field: string): void {
  try {
    writeRaw(dir, file, value);
  } catch (err) {
    throw sysError(field, `write ${file}`, err);
  }
}

/** Read a cgroup file; undefined if it does not exist (controller absent). */
export function readOptional(dir: string, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENODEV' || code === 'ENOTDIR') return undefined;
    throw sysError('cgroup', `read ${path.join(dir, file)}`, err);
  }
}

export function readRequired(dir: string, file: string, field = 'cgroup'): string {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch (err) {
    throw sysError(field, `read ${file}`, err);
  }
}

/** The double nearest to 2^64-1: what "max" and saturated u64 values become. */
export const U64_MAX = 2 ** 64;

/**
 * runc's ParseUint: "max" is MaxUint64, negative numbers (the kernel prints
 * -1 for some unlimited knobs) become 0. Returns undefined when unparsable.
 */
export function parseUint(text: string): number | undefined {
  const s = text.trim();
  if (s === 'max') return U64_MAX;
  if (/^-\d+$/.test(s)) return 0;
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= U64_MAX ? U64_MAX : n;
}

/** Read a single unsigned value; undefined when the file does not exist. */
export function readUint(dir: string, file: string): number | undefined {
  const text = readOptional(dir, file);
  if (text === undefined) return undefined;
  const v = parseUint(text);
  if (v === undefined) throw internal(`cgroup: unable to parse ${path.join(dir, file)}: ${JSON.stringify(text.trim())}`);
  return v;
}

/** "key value" lines (memory.stat, cpu.stat, ...) as a map. */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length !== 2) continue;
    const v = parseUint(parts[1]!);
    if (v !== undefined) out.set(parts[0]!, v);
  }
  return out;
}

/** Cgroup state changes (freezing, rmdir) settle in ms: callers block for them. */
export { sleepMs } from '../util/sleep.js';

export function dirExists(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Pids listed in dir/cgroup.procs and every descendant cgroup's. */
export function readProcsRecursive(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string): void => {
    const text = readOptional(d, 'cgroup.procs');
    if (text === undefined) return;
    for (const line of text.split('\n')) {
      const pid = Number.parseInt(line, 10);
      if (Number.isInteger(pid) && pid > 0) pids.push(pid);
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return; // removed while walking
      throw sysError('cgroup', `readdir ${d}`, err);
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  if (!dirExists(dir)) throw notFound(`cgroup: ${dir} does not exist`);
  walk(dir);
  return pids;
}

/**
 * rmdir a cgroup and any sub-cgroups, deepest first. A cgroup directory can
 * only be removed when it has no tasks and no children; the files inside are
 * virtual and go away with it. A missing directory is success.
 */
export function removeCgroupDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
    return;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return;
    if (code !== 'ENOTEMPTY' && code !== 'EBUSY') throw err;
  }
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) if (e.isDirectory()) removeCgroupDir(path.join(dir, e.name));
  try {
    fs.rmdirSync(dir);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}
