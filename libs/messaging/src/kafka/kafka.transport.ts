import { deadLetterTopicOf, type IntegrationEvent, type TopicName } from '@fireline/contracts';
import {
  Kafka,
  logLevel as kafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { consumeOnce, DEFAULT_CONSUME_RETRY_POLICY, type ConsumeOutcome, type ConsumeRetryPolicy } from '../consume';
import { describeError, parkInDeadLetters } from '../dead-letter';
import type { ConsumerLag, ConsumerRegistration, MessageTransport, TransportStatus } from '../message-transport';
import { decodeIntegrationEvent, encodeIntegrationEvent, toDeadLetterMessage, unparseableEnvelope } from './kafka-message.codec';

/** How much kafkajs logs (to stdout, as JSON lines). */
export type KafkaTransportLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Partitioning and replication of every topic the transport creates (subscribed, `.dlq` and publish topics). */
export interface KafkaTopicSettings {
  /** Partitions per topic; the unit of consumer parallelism. Messages of one stream stay on one partition. */
  numPartitions: number;
  /** Copies of each partition; 3 on a production cluster, 1 on a single broker. */
  replicationFactor: number;
}

/** Consumer-group tuning, passed to every kafkajs consumer. Defaults are kafkajs's unless noted. */
export interface KafkaConsumerTuning {
  /** Default 30000. The broker removes a member that has not heartbeated for this long. */
  sessionTimeoutMs?: number;
  /** Default 60000. How long the broker waits for members to rejoin during a rebalance. */
  rebalanceTimeoutMs?: number;
  /** Default 3000. Heartbeats are also sent while a message's handler is retrying. */
  heartbeatIntervalMs?: number;
  /** Default 5000. Longest a fetch waits on the broker for new messages. kafkajs heartbeats between fetches, so keep it well under sessionTimeoutMs. */
  maxWaitTimeMs?: number;
  /** Default 1. Partitions handled side by side per consumer; order within a partition is kept either way. */
  partitionsConsumedConcurrently?: number;
  /**
   * Where a group without committed offsets starts. Default true (earliest): a consumer deployed after
   * events were published still gets them. False is Kafka's `latest`.
   */
  fromBeginning?: boolean;
}

/**
 * Configuration of `KafkaTransport`. Parsed by the app from its environment; this lib reads no
 * `process.env`.
 */
export interface KafkaTransportOptions {
  /** kafkajs client id, e.g. the service name; shows in broker logs and quotas. */
  clientId: string;
  /** Bootstrap brokers as `host:port`. */
  brokers: string[];
  /**
   * Prepended to every consumer name to form its Kafka group id (default ''): `staging.` gives
   * `staging.notification-service.…`, so two deployments can share a cluster. The inbox keeps the bare name.
   */
  groupIdPrefix?: string;
  /** Partition count and replication factor of every topic the transport creates at start. */
  topics: KafkaTopicSettings;
  /** Attempts and backoff per message before it is dead-lettered. Default `DEFAULT_CONSUME_RETRY_POLICY`. */
  consumerRetry?: ConsumeRetryPolicy;
  /** Topics this process publishes to, created at start. Other topics are created on first publish. */
  publishTopics?: TopicName[];
  /** Default 'warn'. */
  logLevel?: KafkaTransportLogLevel;
  consumer?: KafkaConsumerTuning;
  /**
   * Default 30000. How long `stop()` waits for messages being handled. After that it leaves the group
   * without committing them; they are redelivered, and the inbox drops a repeat of any that did commit.
   */
  shutdownTimeoutMs?: number;
}

const LOG_LEVELS: Record<KafkaTransportLogLevel, kafkaLogLevel> = {
  nothing: kafkaLogLevel.NOTHING,
  error: kafkaLogLevel.ERROR,
  warn: kafkaLogLevel.WARN,
  info: kafkaLogLevel.INFO,
  debug: kafkaLogLevel.DEBUG,
};

const ABANDONED = Symbol('abandoned');

/** The kafkajs clients of one start..stop cycle. */
interface Session {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly admin: Admin;
  readonly consumers: Consumer[];
  readonly topics: Map<string, Promise<void>>;
  readonly inFlight: Set<Promise<unknown>>;
  /** group -> why its consumer stopped for good (kafkajs CRASH without restart). */
  readonly crashed: Map<string, string>;
  stopping: boolean;
  abandoned: boolean;
  /** Resolves with ABANDONED when `stop()` gives up waiting for in-flight messages. */
  readonly abandonment: Promise<typeof ABANDONED>;
  abandon(): void;
}

/** What became of one delivered message before its offset is committed. */
interface Handled {
  outcome: ConsumeOutcome;
  /** Why it was dead-lettered, for the `dlq-error` header. */
  error?: string;
}

/**
 * The Kafka adapter of `MessageTransport` (kafkajs), for services in separate processes.
 *
 * Publishing: one idempotent producer, `acks: -1`, key = `streamId`, headers `event-id`, `event-type`,
 * `schema-version`, `correlation-id` and `traceparent` (see `encodeIntegrationEvent`). `publish` resolves
 * once the brokers have the batch, so the relay may advance its checkpoint.
 *
 * Consuming: one kafkajs consumer per consumer-group name (`ConsumerRegistration.consumer`), manual
 * commits. Each message goes through `consumeOnce` (inbox, retries, `dead_letters`); a message it
 * dead-letters, or one that does not decode, is also copied to `<topic>.dlq` with `dlq-*` headers.
 * Only then is offset+1 committed. While the consumer's database is unavailable `consumeOnce` waits
 * (heartbeating meanwhile) instead of counting attempts; if it throws (the dead-letter write failed, or
 * `stop()` came while the database was still away), nothing is committed and the message is delivered
 * again: no offset is committed for an effect that did not commit.
 *
 * One instance may be started and stopped repeatedly; `subscribe` only while stopped.
 */
export class KafkaTransport implements MessageTransport {
  /** group id -> topic -> registration */
  private readonly groups = new Map<string, Map<string, ConsumerRegistration>>();
  private readonly retryPolicy: ConsumeRetryPolicy;
  private session: Session | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private deadLettered = 0;

  /** @throws Error naming every invalid option. */
  constructor(private readonly options: KafkaTransportOptions) {
    const problems = validateOptions(options);
    if (problems.length > 0) throw new Error(`Invalid KafkaTransportOptions: ${problems.join('; ')}`);
    this.retryPolicy = options.consumerRetry ?? DEFAULT_CONSUME_RETRY_POLICY;
  }

  /** @throws Error while started, or when this consumer already subscribes to the topic. */
  subscribe(registration: ConsumerRegistration): void {
    if (this.session || this.starting) throw new Error('KafkaTransport: subscribe() only while stopped');
    const byTopic = this.groups.get(registration.consumer) ?? new Map<string, ConsumerRegistration>();
    if (byTopic.has(registration.topic)) {
      throw new Error(`Consumer ${registration.consumer} is already subscribed to ${registration.topic}`);
    }
    byTopic.set(registration.topic, registration);
    this.groups.set(registration.consumer, byTopic);
  }

  /**
   * Connects the producer and admin, creates every topic it will use (missing ones only, with the
   * configured partitions and replication), then joins each consumer group and starts consuming.
   * Resolves when every group has joined. On failure everything started is disconnected again.
   */
  async start(): Promise<void> {
    if (this.session || this.starting) throw new Error('KafkaTransport is already started');
    this.starting = this.open();
    try {
      await this.starting;
    } finally {
      this.starting = null;
    }
  }

  /**
   * Sends `events` to `topic` as one batch and resolves when every in-sync replica has them.
   * @throws Error when not started (or stopping): the relay keeps its checkpoint and retries.
   */
  async publish(topic: TopicName, events: IntegrationEvent[]): Promise<void> {
    const session = this.session;
    if (!session || session.stopping) throw new Error('KafkaTransport is not started');
    if (events.length === 0) return;
    await track(session, async () => {
      await this.ensureTopics(session, [topic]);
      await session.producer.send({ topic, acks: -1, messages: events.map((event) => encodeIntegrationEvent(event)) });
    });
  }

  /**
   * Stops consuming (after the message each partition is on), waits up to `shutdownTimeoutMs` for
   * messages and publishes in flight, leaves every group (`consumer.disconnect()`), then disconnects the
   * producer and admin. Concurrent calls share one shutdown.
   */
  async stop(): Promise<void> {
    this.stopping ??= this.close().finally(() => {
      this.stopping = null;
    });
    await this.stopping;
  }

  /**
   * Committed offset against high watermark for every subscribed group, topic and partition, sorted.
   * @throws Error when not started.
   */
  async lag(): Promise<ConsumerLag[]> {
    const session = this.session;
    if (!session) throw new Error('KafkaTransport is not started');
    const watermarks = new Map<string, Promise<Map<number, { high: number; low: number }>>>();
    const watermarksOf = (topic: string) => {
      let found = watermarks.get(topic);
      if (!found) {
        found = session.admin
          .fetchTopicOffsets(topic)
          .then((offsets) => new Map(offsets.map((o) => [o.partition, { high: Number(o.high), low: Number(o.low) }])));
        watermarks.set(topic, found);
      }
      return found;
    };
    const lags: ConsumerLag[] = [];
    for (const [group, byTopic] of this.groups) {
      const committed = await session.admin.fetchOffsets({ groupId: this.groupIdOf(group), topics: [...byTopic.keys()] });
      for (const { topic, partitions } of committed) {
        const marks = await watermarksOf(topic);
        for (const { partition, offset } of partitions) {
          const mark = marks.get(partition) ?? { high: 0, low: 0 };
          const committedOffset = Number(offset) >= 0 ? Number(offset) : null;
          lags.push({
            consumer: group,
            groupId: this.groupIdOf(group),
            topic,
            partition,
            committedOffset,
            highWatermark: mark.high,
            lag: mark.high - (committedOffset ?? mark.low),
          });
        }
      }
    }
    return lags.sort((a, b) => a.consumer.localeCompare(b.consumer) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  /**
   * Up when started and no consumer crashed for good; lag and `.dlq` sizes from the cluster. A broker
   * that does not answer within kafkajs's request timeout is reported in `problems`, not thrown.
   */
  async status(): Promise<TransportStatus> {
    const session = this.session;
    const base = { transport: 'kafka' as const, consumerLag: [], deadLetterTopics: [], deadLetteredSinceStart: this.deadLettered };
    if (!session || session.stopping) return { ...base, up: false, problems: ['transport is not started'] };
    const problems = [...session.crashed].map(([group, error]) => `consumer ${group} stopped: ${error}`);
    try {
      const consumerLag = await this.lag();
      const subscribed = new Set([...this.groups.values()].flatMap((byTopic) => [...byTopic.keys()] as TopicName[]));
      const deadLetterTopics = await Promise.all(
        [...subscribed].map(async (topic) => {
          const dlq = deadLetterTopicOf(topic);
          const offsets = await session.admin.fetchTopicOffsets(dlq);
          return { topic: dlq, messages: offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0) };
        }),
      );
      return { ...base, up: problems.length === 0, problems, consumerLag, deadLetterTopics };
    } catch (error) {
      return { ...base, up: false, problems: [...problems, `broker: ${describeError(error)}`] };
    }
  }

  private groupIdOf(consumer: string): string {
    return `${this.options.groupIdPrefix ?? ''}${consumer}`;
  }

  /** Messages copied to a `.dlq` topic by this instance's consumers since the last `start()`. */
  deadLetteredSinceStart(): number {
    return this.deadLettered;
  }

  private async open(): Promise<void> {
    const { clientId, brokers } = this.options;
    const kafka = new Kafka({ clientId, brokers, logLevel: LOG_LEVELS[this.options.logLevel ?? 'warn'] });
    let abandon: () => void = () => undefined;
    const abandonment = new Promise<typeof ABANDONED>((resolve) => {
      abandon = () => resolve(ABANDONED);
    });
    const session: Session = {
      kafka,
      // One request in flight keeps the batches of a partition in order across retries.
      // Murmur2 like the Java client, so keys land on the same partitions whoever produces them.
      producer: kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
      admin: kafka.admin(),
      consumers: [],
      topics: new Map(),
      inFlight: new Set(),
      crashed: new Map(),
      stopping: false,
      abandoned: false,
      abandonment,
      abandon: () => {
        session.abandoned = true;
        abandon();
      },
    };
    try {
      await session.producer.connect();
      await session.admin.connect();
      const subscribed = [...this.groups.values()].flatMap((byTopic) => [...byTopic.keys()] as TopicName[]);
      await this.ensureTopics(session, [
        ...subscribed,
        ...subscribed.map((topic) => deadLetterTopicOf(topic)),
        ...(this.options.publishTopics ?? []),
      ]);
      for (const [group, byTopic] of this.groups) await this.runConsumer(session, group, [...byTopic.keys()]);
    } catch (error) {
      await Promise.allSettled([
        ...session.consumers.map((c) => c.disconnect()),
        session.producer.disconnect(),
        session.admin.disconnect(),
      ]);
      throw error;
    }
    this.deadLettered = 0;
    this.session = session;
  }

  private async close(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    const session = this.session;
    if (!session) return;
    session.stopping = true;
    const timer = setTimeout(() => session.abandon(), this.options.shutdownTimeoutMs ?? 30_000);
    try {
      await Promise.race([Promise.allSettled([...session.inFlight]), session.abandonment]);
      await Promise.allSettled(session.consumers.map((consumer) => consumer.disconnect()));
    } finally {
      clearTimeout(timer);
    }
    await Promise.allSettled([session.producer.disconnect(), session.admin.disconnect()]);
    this.session = null;
  }

  /** Creates the topics this session has not seen yet, if the cluster lacks them. */
  private async ensureTopics(session: Session, topics: string[]): Promise<void> {
    const wanted = [...new Set(topics)];
    const missing = wanted.filter((topic) => !session.topics.has(topic));
    if (missing.length > 0) {
      const created = this.createMissingTopics(session, missing);
      for (const topic of missing) session.topics.set(topic, created);
      // A failed creation is retried by the next caller.
      created.catch(() => missing.forEach((topic) => session.topics.get(topic) === created && session.topics.delete(topic)));
    }
    await Promise.all(wanted.map((topic) => session.topics.get(topic) ?? Promise.resolve()));
  }

  private async createMissingTopics(session: Session, topics: string[]): Promise<void> {
    const existing = new Set(await session.admin.listTopics());
    const toCreate = topics.filter((topic) => !existing.has(topic));
    if (toCreate.length === 0) return;
    const { numPartitions, replicationFactor } = this.options.topics;
    // Resolves false when another process created them first: fine.
    await session.admin.createTopics({
      waitForLeaders: true,
      topics: toCreate.map((topic) => ({ topic, numPartitions, replicationFactor })),
    });
  }

  private async runConsumer(session: Session, group: string, topics: string[]): Promise<void> {
    const tuning = this.options.consumer ?? {};
    const consumer = session.kafka.consumer({
      groupId: this.groupIdOf(group),
      sessionTimeout: tuning.sessionTimeoutMs,
      rebalanceTimeout: tuning.rebalanceTimeoutMs,
      heartbeatInterval: tuning.heartbeatIntervalMs,
      maxWaitTimeInMs: tuning.maxWaitTimeMs,
      allowAutoTopicCreation: false,
    });
    session.consumers.push(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) session.crashed.set(group, describeError(payload.error));
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: tuning.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      // Resolve only what was handled and committed: a batch left early is fetched again.
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.consumeBatch(session, consumer, group, payload),
    });
  }

  private async consumeBatch(session: Session, consumer: Consumer, group: string, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const registration = this.groups.get(group)?.get(batch.topic);
    if (!registration) throw new Error(`KafkaTransport: group ${group} got a batch of unsubscribed topic ${batch.topic}`);
    for (const message of batch.messages) {
      if (session.stopping || !payload.isRunning() || payload.isStale()) return;
      const delivered = await track(session, () => this.deliver(session, consumer, registration, payload, message));
      if (delivered === ABANDONED) return;
      payload.resolveOffset(message.offset);
      await payload.heartbeat();
    }
  }

  /**
   * One message: handle it (heartbeating meanwhile), copy it to `<topic>.dlq` if it was given up on,
   * then commit offset+1. Returns ABANDONED, committing nothing, when `stop()` stopped waiting for it:
   * it will be redelivered.
   */
  private async deliver(
    session: Session,
    consumer: Consumer,
    registration: ConsumerRegistration,
    payload: EachBatchPayload,
    message: KafkaMessage,
  ): Promise<'committed' | typeof ABANDONED> {
    const { topic, partition } = payload.batch;
    // kafkajs sends a heartbeat only once the interval has passed. A rebalance error is dropped here and
    // surfaces at the heartbeat after the message, where kafkajs rejoins.
    const timer = setInterval(() => {
      payload.heartbeat().catch(() => undefined);
    }, this.options.consumer?.heartbeatIntervalMs ?? 3_000);
    let handled: Handled | typeof ABANDONED;
    try {
      handled = await Promise.race([this.handle(session, registration, topic, partition, message), session.abandonment]);
    } finally {
      clearInterval(timer);
    }
    if (handled === ABANDONED || session.abandoned) return ABANDONED;
    if (handled.outcome === 'dead_lettered') {
      await session.producer.send({
        topic: deadLetterTopicOf(registration.topic),
        acks: -1,
        messages: [
          toDeadLetterMessage(message, {
            consumer: registration.consumer,
            partition,
            offset: message.offset,
            error: handled.error ?? 'unknown',
          }),
        ],
      });
      this.deadLettered += 1;
    }
    await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    return 'committed';
  }

  private async handle(session: Session, registration: ConsumerRegistration, topic: string, partition: number, message: KafkaMessage): Promise<Handled> {
    const decoded = decodeIntegrationEvent(message);
    if (!decoded.ok) {
      const error = `UnparseableMessage: ${decoded.reason}`;
      const event = unparseableEnvelope({ topic, partition, message });
      await parkInDeadLetters(registration.pool, { consumer: registration.consumer, topic: registration.topic, event, error, attempts: 1 });
      return { outcome: 'dead_lettered', error };
    }
    let lastError: unknown;
    const observed: ConsumerRegistration = {
      topic: registration.topic,
      consumer: registration.consumer,
      pool: registration.pool,
      handle: async (event, tx) => {
        try {
          await registration.handle(event, tx);
        } catch (error) {
          lastError = error;
          throw error;
        }
      },
    };
    const outcome = await consumeOnce(observed, decoded.event, this.retryPolicy, { stopping: () => session.stopping });
    return outcome === 'dead_lettered'
      ? { outcome, error: lastError === undefined ? 'unknown (see dead_letters)' : describeError(lastError) }
      : { outcome };
  }
}

/** Runs `work` as in flight for `stop()` to wait on. */
async function track<T>(session: Session, work: () => Promise<T>): Promise<T> {
  const running = work();
  session.inFlight.add(running);
  try {
    return await running;
  } finally {
    session.inFlight.delete(running);
  }
}

function validateOptions(options: KafkaTransportOptions): string[] {
  const problems: string[] = [];
  const positiveInt = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value > 0;
  if (typeof options.clientId !== 'string' || options.clientId === '') problems.push('clientId must be a non-empty string');
  if (
    !Array.isArray(options.brokers) ||
    options.brokers.length === 0 ||
    options.brokers.some((b) => typeof b !== 'string' || !/^[^:\s]+:\d+$/.test(b))
  ) {
    problems.push('brokers must be a non-empty list of host:port');
  }
  if (!positiveInt(options.topics?.numPartitions)) problems.push('topics.numPartitions must be a positive integer');
  if (!positiveInt(options.topics?.replicationFactor)) problems.push('topics.replicationFactor must be a positive integer');
  if (options.logLevel !== undefined && !(options.logLevel in LOG_LEVELS))
    problems.push(`logLevel must be one of ${Object.keys(LOG_LEVELS).join(', ')}`);
  if (options.shutdownTimeoutMs !== undefined && !(options.shutdownTimeoutMs >= 0)) problems.push('shutdownTimeoutMs must be >= 0');
  const retry = options.consumerRetry;
  if (retry && (!positiveInt(retry.maxAttempts) || !(retry.baseDelayMs >= 0) || !(retry.maxDelayMs >= 0))) {
    problems.push('consumerRetry needs maxAttempts >= 1 and non-negative delays');
  }
  return problems;
}
