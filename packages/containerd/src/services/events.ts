/**
 * containerd.services.events.v1.Events: Publish (in the caller's namespace),
 * Forward (an envelope as it is, from a shim) and Subscribe with filters
 * (ctr events), streaming until the client goes away.
 */
import { invalidArgument } from '@berth/errors';
import { Events } from '../gen/containerd/services/events/v1/events_pb.js';
import type { Exchange } from '../events/exchange.js';
import type { ImplOf } from '../grpc/types.js';

export function eventsService(exchange: Exchange): ImplOf<typeof Events> {
  return {
    publish(req, ctx) {
      if (req.event === undefined) throw invalidArgument('event must not be empty');
      exchange.publishAny(ctx.namespace(), req.topic, req.event);
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
