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

/** Progress of one consumer group on one partition: committed offset against the partition's end. */
export interface ConsumerLag {
  /** The consumer name (`ConsumerRegistration.consumer`). */
  consumer: string;
  /** The broker-side group id (`KAFKA_GROUP_ID_PREFIX` + consumer). */
  groupId: string;
  topic: string;
  partition: number;
  /** Next offset the group will read; null when the group has committed nothing on this partition. */
  committedOffset: number | null;
  highWatermark: number;
  /** Messages not yet committed: highWatermark - committedOffset (or - the log start when nothing is committed). */
  lag: number;
}

/**
 * What a transport reports for health checks and metrics (`status()`).
 * - `up`: started and every consumer running (a Kafka consumer that crashed for good makes it false).
 * - `problems`: why it is not up, one line each.
 * - `consumerLag`: per group/topic/partition (Kafka); empty in process, where publish waits for consumers.
 * - `deadLetterTopics`: messages in each `<topic>.dlq` of the subscribed topics (whoever parked them), Kafka only.
 * - `deadLetteredSinceStart`: messages this instance's consumers copied to a `.dlq` topic since `start()`.
 */
export interface TransportStatus {
  transport: 'in-process' | 'kafka';
  up: boolean;
  problems: string[];
  consumerLag: ConsumerLag[];
  deadLetterTopics: { topic: string; messages: number }[];
  deadLetteredSinceStart: number;
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
  /** Health and progress; never throws (a broker that does not answer is reported in `problems`). */
  status(): Promise<TransportStatus>;
}

/** Nest injection token for the process's `MessageTransport`. */
export const MESSAGE_TRANSPORT = Symbol('MESSAGE_TRANSPORT');
