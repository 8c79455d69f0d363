/**
 * Exit records: the durable fact that a process exited, written before the
 * exit is reported to anyone (Wait, State, the /tasks/exit event), so that a
 * crash of anything above the shim, or of the machine's page cache, cannot lose
 * it. Write a temp file, fsync it, rename it into place, fsync the directory:
 * a reader sees the whole record or none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { exitFileName } from '../paths.js';

export interface ExitRecord {
  /** The container id. */
  id: string;
  /** '' for the init process. */
  execId: string;
  pid: number;
  /** The exit code, or 128 + signal. */
  exitStatus: number;
  /** RFC 3339 with nanoseconds' worth of digits from milliseconds. */
  exitedAt: string;
  /** The raw wait status, when the shim reaped the process itself. */
  waitStatus?: number;
}

function fsyncPath(p: string, flags: number): void {
  const fd = fs.openSync(p, flags);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeExitRecord(dir: string, record: ExitRecord): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, exitFileName(record.execId));
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(record)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncPath(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  return file;
}

/** The record of a process, or undefined when it has not exited (or the file is unreadable). */
export function readExitRecord(dir: string, execId: string): ExitRecord | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(path.join(dir, exitFileName(execId)), 'utf8')) as ExitRecord;
    return typeof value.exitStatus === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
