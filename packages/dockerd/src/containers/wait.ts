/**
 * POST /containers/{id}/wait conditions: not-running (now, if it is not),
 * next-exit, removed. The waiter is registered before the response starts, so
 * `docker run` (wait, then start) never misses a quick exit.
 */
import { invalidArgument } from '@berth/errors';
import type { Container } from './container.js';
import { isRunning } from './model.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export function parseCondition(v: unknown): WaitCondition {
  if (v === undefined || v === '' || v === 'not-running') return 'not-running';
  if (v === 'next-exit' || v === 'removed') return v;
  throw invalidArgument(`invalid condition: "${String(v)}"`);
}

export interface WaitResult {
  StatusCode: number;
  Error: { Message: string } | null;
}

export function waitFor(c: Container, condition: WaitCondition): Promise<WaitResult> {
  const result = (): WaitResult => ({ StatusCode: c.record.state.ExitCode, Error: null });
  if (condition === 'removed') return c.removed().then(result);
  if (condition === 'not-running' && !isRunning(c.record.state)) return Promise.resolve(result());
  return c.nextExit().then((x) => ({ StatusCode: x.exitCode, Error: x.error ? { Message: x.error } : null }));
}
