/** Facts about a process read from /proc: liveness that survives pid reuse. */
import fs from 'node:fs';

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces). */
function statFields(pid: number): string[] | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Start time in clock ticks since boot (field 22), or null when the pid is gone. */
export function processStartTime(pid: number): string | null {
  const f = statFields(pid);
  return f ? (f[19] ?? null) : null;
}

/** One-letter state (R, S, D, Z, T...), or null when the pid is gone. */
export function processState(pid: number): string | null {
  const f = statFields(pid);
  return f ? (f[0] ?? null) : null;
}

/** Alive = exists, is the same process (start time), and is not a zombie. */
export function isAlive(pid: number, startTime: string): boolean {
  if (pid <= 0) return false;
  const f = statFields(pid);
  if (!f) return false;
  return f[19] === startTime && f[0] !== 'Z' && f[0] !== 'X';
}
