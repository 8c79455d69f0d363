/**
 * The event exchange (containerd's events/exchange): publish, forward and
 * subscribe with filters over `topic`, `namespace` and `event.<field>`. Every
 * subscriber has its own queue, so a slow subscriber delays nobody else; the
 * order of events is the order of publication.
 */
import { create, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampNow, type Any } from '@bufbuild/protobuf/wkt';
import { EnvelopeSchema, type Envelope } from '../gen/containerd/services/events/v1/events_pb.js';
import { validateIdentifier } from '../identifiers.js';
import { messageLookup } from '../filters/fieldpath.js';
import type { FieldLookup, FilterSet } from '../filters/filter.js';
import { parseFilters } from '../filters/parse.js';
import { silentLogger, type Logger } from '../log.js';
import { packAny, unpackAny } from '../typeurl.js';
import { eventRegistry } from './registry.js';
import { validateTopic } from './topic.js';
import { Queue } from './queue.js';

function envelopeLookup(envelope: Envelope): FieldLookup {
  return ([head, ...rest]) => {
    if (head === 'namespace') return envelope.namespace || undefined;
    if (head === 'topic') return envelope.topic || undefined;
    if (head !== 'event' || envelope.event === undefined) return undefined;
    let decoded;
    try {
      decoded = unpackAny(envelope.event, eventRegistry);
    } catch {
      return undefined;
    }
    const schema = decoded && eventRegistry.getMessage(decoded.$typeName);
    return decoded && schema ? messageLookup(schema, decoded, eventRegistry)(rest) : undefined;
  };
}

interface Subscriber {
  filters: FilterSet;
  queue: Queue<Envelope>;
}

export class Exchange {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly log: Logger = silentLogger) {}

  /** Publishes an event of the given type in a namespace; returns the envelope sent. */
  publish<Desc extends DescMessage>(namespace: string, topic: string, schema: Desc, event: MessageInitShape<Desc>): Envelope {
    return this.publishAny(namespace, topic, packAny(schema, event));
  }

  publishAny(namespace: string, topic: string, event: Any): Envelope {
    validateIdentifier(namespace);
    validateTopic(topic);
    const envelope = create(EnvelopeSchema, { timestamp: timestampNow(), namespace, topic, event });
    this.broadcast(envelope);
    return envelope;
  }

  /** Re-publishes an envelope from elsewhere (a shim) as it is. */
  forward(envelope: Envelope): void {
    validateIdentifier(envelope.namespace);
    validateTopic(envelope.topic);
    this.broadcast(envelope);
  }

  /** Envelopes matching any of the filters, until `signal` aborts. Bad filters throw InvalidArgument. */
  subscribe(filters: readonly string[], signal: AbortSignal): AsyncIterable<Envelope> {
    const subscriber: Subscriber = { filters: parseFilters(filters), queue: new Queue<Envelope>() };
    this.subscribers.add(subscriber);
    const stop = () => {
      this.subscribers.delete(subscriber);
      subscriber.queue.close();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    return subscriber.queue;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private broadcast(envelope: Envelope): void {
    this.log.debug('event published', { topic: envelope.topic, ns: envelope.namespace, type: envelope.event?.typeUrl });
    const lookup = envelopeLookup(envelope);
    for (const s of this.subscribers) if (s.filters.match(lookup)) s.queue.push(envelope);
  }
}
