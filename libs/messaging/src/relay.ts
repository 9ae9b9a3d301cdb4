import type { IntegrationEvent, TopicName } from '@fireline/contracts';
import type { RecordedEvent, SubscriptionHandler } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import type { MessageTransport } from './message-transport';

/**
 * Options of an event-store -> transport relay. Give `map` (one stored event -> its public integration
 * event, or null for private events) or `mapPage` (a whole page at once, for mappers that need to load
 * state, e.g. the aggregate after each event).
 */
export interface RelayOptions {
  name: string;
  topic: TopicName;
  transport: MessageTransport;
  /**
   * The stored event types this relay publishes; others are skipped (the checkpoint still passes them).
   * A service's store holds several aggregates (e.g. incidents and alerts), so give it.
   */
  eventTypes?: readonly string[];
  map?: (event: RecordedEvent) => IntegrationEvent | null;
  mapPage?: (events: RecordedEvent[], tx: PoolClient) => Promise<IntegrationEvent[]>;
}

/**
 * A subscription handler that publishes a service's integration events (the events table is the
 * outbox). Run it with the event store's `Subscription`: it publishes each page and the checkpoint
 * moves only after `publish` resolves, so delivery is at-least-once and in stream order.
 *
 * @throws Error when neither `map` nor `mapPage` is given.
 */
export function createRelayHandler(options: RelayOptions): SubscriptionHandler {
  const { map, mapPage } = options;
  if (!map && !mapPage) throw new Error(`Relay ${options.name} needs map or mapPage`);
  return {
    name: `relay:${options.name}`,
    eventTypes: options.eventTypes ? [...options.eventTypes] : undefined,
    async handle(events, tx) {
      const outgoing = mapPage
        ? await mapPage(events, tx)
        : events.map((event) => map!(event)).filter((event): event is IntegrationEvent => event !== null);
      if (outgoing.length > 0) await options.transport.publish(options.topic, outgoing);
    },
  };
}
