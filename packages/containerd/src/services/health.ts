/**
 * grpc.health.v1.Health (containerd's "healthcheck" plugin): the server and
 * each service it serves report SERVING until shutdown begins; an unknown
 * service name is NOT_FOUND, as the health checking protocol specifies.
 */
import { notFound } from '@berth/errors';
import { Health, HealthCheckResponse_ServingStatus as Status } from '../gen/grpc/health/v1/health_pb.js';
import type { ImplOf } from '../grpc/types.js';

export class HealthState {
  private serving = true;
  private readonly watchers = new Set<() => void>();

  constructor(readonly services: ReadonlySet<string>) {}

  status(service: string): Status {
    if (service !== '' && !this.services.has(service)) throw notFound(`unknown service ${service}`);
    return this.serving ? Status.SERVING : Status.NOT_SERVING;
  }

  /** Shutdown has begun: every check now answers NOT_SERVING. */
  stopServing(): void {
    this.serving = false;
    for (const wake of this.watchers) wake();
  }

  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.watchers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.watchers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

export function healthService(state: HealthState): ImplOf<typeof Health> {
  return {
    check: (req) => ({ status: state.status(req.service) }),
    async *watch(req, ctx) {
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const now = state.status(req.service);
        if (now !== last) yield { status: now };
        last = now;
        if (now === Status.NOT_SERVING) return;
        await state.changed(ctx.signal);
      }
    },
  };
}
