/**
 * containerd.services.events.v1.Events: Publish (in the caller's namespace),
 * Forward (an envelope as it is, from a shim) and Subscribe with filters
 * (ctr events), streaming until the client goes away.
 *
 * berth-shim retries a Publish until it is answered; its calls carry
 * `berth-shim-instance` and `berth-shim-seq`, and a repeat of one already
 * delivered is answered AlreadyExists (which the shim counts as delivered)
 * without reaching subscribers again (events/shim-dedup.ts).
 */
import type { Any } from '@bufbuild/protobuf/wkt';
import { alreadyExists, invalidArgument } from '@berth/errors';
import { Events } from '../gen/containerd/services/events/v1/events_pb.js';
import type { Exchange } from '../events/exchange.js';
import { eventRegistry } from '../events/registry.js';
import { ShimEventDedup, shimEventId } from '../events/shim-dedup.js';
import type { ImplOf } from '../grpc/types.js';
import { unpackAny } from '../typeurl.js';

/** The container an event is about (`container_id` of the Task* events), or ''. */
function containerIdOf(event: Any): string {
  try {
    const decoded = unpackAny(event, eventRegistry) as { containerId?: unknown } | undefined;
    return typeof decoded?.containerId === 'string' ? decoded.containerId : '';
  } catch {
    return '';
  }
}

export function eventsService(exchange: Exchange, dedup = new ShimEventDedup()): ImplOf<typeof Events> {
  return {
    publish(req, ctx) {
      if (req.event === undefined) throw invalidArgument('event must not be empty');
      const ns = ctx.namespace();
      const id = shimEventId(ctx.metadata);
      const containerId = id ? containerIdOf(req.event) : '';
      if (id && dedup.seen(ns, containerId, id)) {
        throw alreadyExists(`event ${id.instance}/${id.seq} of ${containerId || 'shim'} already published`);
      }
      exchange.publishAny(ns, req.topic, req.event);
      if (id) dedup.record(ns, containerId, id);
      return {};
    },
    forward(req) {
      if (req.envelope === undefined) throw invalidArgument('envelope must not be empty');
      exchange.forward(req.envelope);
      return {};
    },
    subscribe(req, ctx) {
      return exchange.subscribe(req.filters, ctx.signal);
    },
  };
}
