/**
 * OOM kills in the container's memory cgroup, as the kernel counts them: the
 * oom_kill line of memory.oom_control (cgroup v1, kernel 4.13+) or of
 * memory.events (v2) (cgroup-dirs.ts finds the file). Polled (cheap: one small read) while
 * the container runs, and checked once more before init's exit is reported, so
 * a /tasks/oom that killed init comes before its /tasks/exit.
 */
import fs from 'node:fs';

export function oomKills(file: string): number {
  try {
    const line = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('oom_kill '));
    return line ? Number(line.split(' ')[1]) : 0;
  } catch {
    return 0;
  }
}

/** Calls onOom for each new OOM kill; check() may also be called directly. */
export class OomWatcher {
  private last: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly onOom: () => void,
    intervalMs = 1_000,
  ) {
    this.last = oomKills(file);
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  check(): void {
    const now = oomKills(this.file);
    if (now > this.last) {
      this.last = now;
      this.onOom();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
