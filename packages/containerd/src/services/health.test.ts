import { describe, expect, it } from 'vitest';
import { isBerthError } from '@berth/errors';
import { HealthCheckResponse_ServingStatus as Status } from '../gen/grpc/health/v1/health_pb.js';
import type { CallContext } from '../grpc/types.js';
import { silentLogger } from '../log.js';
import { healthService, HealthState } from './health.js';

const ctx = (signal: AbortSignal): CallContext => ({
  path: '/grpc.health.v1.Health/Watch',
  metadata: undefined as never,
  signal,
  log: silentLogger,
  namespace: () => 'default',
});

describe('health', () => {
  it('checks the server and served services; unknown services are NotFound', () => {
    const state = new HealthState(new Set(['a.B']));
    expect(state.status('')).toBe(Status.SERVING);
    expect(state.status('a.B')).toBe(Status.SERVING);
    let err: unknown;
    try {
      state.status('x.Y');
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'NotFound')).toBe(true);
  });

  it('watch reports SERVING, then NOT_SERVING when shutdown begins, and ends', async () => {
    const state = new HealthState(new Set());
    const watch = healthService(state).watch;
    if (watch === undefined) throw new Error('watch not served');
    const seen: Status[] = [];
    const done = (async () => {
      for await (const r of watch({ service: '' } as never, ctx(new AbortController().signal))) seen.push(r.status ?? Status.UNKNOWN);
    })();
    await new Promise((r) => setTimeout(r, 10));
    state.stopServing();
    await done;
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING]);
  });
});
