/**
 * docker's restart policies: whether an exited container starts again, and
 * after how long (100 ms, doubling while runs keep lasting under 10 s, at most
 * a minute; reset after a run that lasted).
 */
import type { ContainerRecord } from './model.js';

export function shouldRestart(rec: ContainerRecord, exitCode: number): boolean {
  if (rec.manuallyStopped || rec.hostConfig.AutoRemove) return false;
  const p = rec.hostConfig.RestartPolicy;
  switch (p.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (p.MaximumRetryCount === 0 || rec.restartCount < p.MaximumRetryCount);
    default:
      return false;
  }
}

const backoff = new Map<string, number>();

export function restartDelay(id: string, ranForMs: number): number {
  const prev = backoff.get(id) ?? 0;
  const next = ranForMs >= 10_000 || prev === 0 ? 100 : Math.min(prev * 2, 60_000);
  backoff.set(id, next);
  return next;
}

export function forgetBackoff(id: string): void {
  backoff.delete(id);
}
