/**
 * Delivers queued events to containerd's events service
 * (containerd.services.events.v1.Events/Publish) on containerd's socket, in the
 * container's namespace. Besides the namespace, each call carries gRPC metadata
 * for deduplication of retried deliveries:
 *   berth-shim-seq       the event's sequence number (1, 2, ... per shim)
 *   berth-shim-instance  "<shim pid>-<shim start ms>": a new shim restarts at 1
 * The channel reconnects quickly (containerd coming back should not wait out
 * grpc's default 2-minute reconnect backoff) and nothing here assumes the
 * connection stays up.
 */
import * as grpc from '@grpc/grpc-js';
import { createClient, maxMessageSize } from '@berth/containerd/grpc/client';
import { Events } from '@berth/containerd/gen/containerd/services/events/v1/events_pb';
import type { Deliver, QueuedEvent } from './queue.js';

export const seqHeader = 'berth-shim-seq';
export const instanceHeader = 'berth-shim-instance';

export interface PublisherTarget {
  /** containerd's socket path. */
  address: string;
  /** Read at each delivery: a spare shim learns its namespace at Create. */
  namespace: () => string;
}

export function grpcDeliver(target: PublisherTarget, instance: string, timeoutMs = 5_000): { deliver: Deliver; close(): void } {
  const url = target.address.includes('://') ? target.address : `unix://${target.address}`;
  const channel = new grpc.Client(url, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': maxMessageSize,
    'grpc.max_send_message_length': maxMessageSize,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.min_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1_000,
  });
  const events = createClient(Events, channel);
  return {
    async deliver(e: QueuedEvent) {
      await events.publish(
        { topic: e.topic, event: e.event },
        {
          namespace: target.namespace(),
          deadline: timeoutMs,
          metadata: { [seqHeader]: String(e.seq), [instanceHeader]: instance },
        },
      );
    },
    close() {
      channel.close();
    },
  };
}
