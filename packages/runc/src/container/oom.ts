/**
 * OOM kills in a container's memory cgroup, counted by the kernel: the
 * `oom_kill` line of memory.oom_control (v1) or memory.events (v2). `events`
 * polls the counter and reports each increase as runc's {"type":"oom"} event.
 */
import fs from 'node:fs';
import path from 'node:path';

export function oomKillCount(cgroupPaths: Record<string, string>): number {
  const candidates: string[] = [];
  if (cgroupPaths.memory) candidates.push(path.join(cgroupPaths.memory, 'memory.oom_control'));
  if (cgroupPaths['']) candidates.push(path.join(cgroupPaths[''], 'memory.events'));
  for (const file of candidates) {
    try {
      const line = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('oom_kill '));
      if (line) return Number(line.split(' ')[1]);
    } catch {
      // not this hierarchy
    }
  }
  return 0;
}
