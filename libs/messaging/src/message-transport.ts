import type { IntegrationEvent, TopicName } from '@fireline/contracts';
import type { Pool, PoolClient } from 'pg';

/**
 * A consumer of one topic, in one consuming service. The transport delivers at least once; the
 * messaging lib makes the effect exactly-once by writing an inbox row `(consumer, event_id)` in the
 * same transaction as `handle`'s writes (see `processWithInbox`).
 *
 * - `consumer`: the consumer-group name, stable across deploys (e.g. `notification-service.notify`).
 * - `pool`: the consuming service's own database; its `inbox` and `dead_letters` tables live there.
 * - `handle(event, tx)`: do the effect with `tx` only. Throw to have the message retried; a message that
 *   still fails after the transport's attempts is parked in `dead_letters` and consumption goes on.
 *   Events of types the consumer does not know must be acknowledged (return), not thrown.
 */
export interface ConsumerRegistration {
  topic: TopicName;
  consumer: string;
  pool: Pool;
  handle(event: IntegrationEvent, tx: PoolClient): Promise<void>;
}

/**
 * The transport port. Adapters: `InProcessTransport` (embedded default, one process) and the Kafka
 * adapter (kafkajs; separate processes). `publish` resolves only when the adapter has durably taken
 * the events (Kafka: acks from all in-sync replicas; in-process: every consumer has committed or
 * dead-lettered them), so a relay may advance its checkpoint after it resolves.
 */
export interface MessageTransport {
  publish(topic: TopicName, events: IntegrationEvent[]): Promise<void>;
  subscribe(registration: ConsumerRegistration): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Nest injection token for the process's `MessageTransport`. */
export const MESSAGE_TRANSPORT = Symbol('MESSAGE_TRANSPORT');
