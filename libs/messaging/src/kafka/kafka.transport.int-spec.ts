import { randomUUID } from 'node:crypto';
import { deadLetterTopicOf, TOPICS, type IntegrationEvent } from '@fireline/contracts';
import { ValidationError } from '@fireline/errors';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { KafkaTestBroker, type StoredRecord } from '../../../../test/kafka-broker/kafka-test-broker';
import { eventually } from '../../../../test/support/eventually';
import { TcpSwitch } from '../../../../test/support/tcp-switch';
import { createTestDatabase, servicePool, type TestDatabase } from '../../../../test/support/test-database';
import type { ConsumerRegistration } from '../message-transport';
import { CreateInboxAndDeadLetters1732000000100 } from '../messaging.migration';
import { KafkaTransport, type KafkaTransportOptions } from './kafka.transport';
import { anIntegrationEvent } from './testing/integration-event.factories';

jest.setTimeout(60_000);

const TOPIC = TOPICS.incidents;
const DLQ = deadLetterTopicOf(TOPIC);

interface Effect {
  event_id: string;
  stream_id: string;
  seq: number;
}

const fresh = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The n-th event (1-based `seq`) of one stream. */
const eventOf = (streamId: string, seq: number): IntegrationEvent => anIntegrationEvent({ streamId, data: { seq } });

async function migrate(pool: Pool, options: { deadLetters: boolean }): Promise<void> {
  const statements: string[] = [];
  await new CreateInboxAndDeadLetters1732000000100().up({ query: async (sql: string) => statements.push(sql) } as never);
  for (const sql of statements.filter((s) => options.deadLetters || !s.includes('dead_letters'))) await pool.query(sql);
  await pool.query(`CREATE TABLE IF NOT EXISTS effects (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, consumer text NOT NULL, event_id uuid NOT NULL, stream_id text NOT NULL, seq int NOT NULL)`);
}

async function recordEffect(consumer: string, event: IntegrationEvent, tx: PoolClient): Promise<void> {
  const { seq } = event.data as { seq: number };
  await tx.query('INSERT INTO effects (consumer, event_id, stream_id, seq) VALUES ($1, $2, $3, $4)', [
    consumer,
    event.eventId,
    event.streamId,
    seq,
  ]);
}

async function allRecords(broker: KafkaTestBroker, topic: string): Promise<(StoredRecord & { partition: number })[]> {
  const partitions = broker.highWatermarks(topic).length;
  const all = [];
  for (let partition = 0; partition < partitions; partition++) {
    all.push(...(await broker.records(topic, partition)).map((r) => ({ ...r, partition })));
  }
  return all;
}

const headersAsText = (headers: StoredRecord['headers']): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));

describe(KafkaTransport.name, () => {
  let db: TestDatabase;
  let broker: KafkaTestBroker;
  let refusals: string[];
  const transports: KafkaTransport[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('kafka_transport');
    await migrate(db.pool, { deadLetters: true });
  });

  beforeEach(async () => {
    refusals = [];
    broker = new KafkaTestBroker({ log: (line) => refusals.push(line) });
    await broker.start();
  });

  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.stop()));
    await broker.stop();
    // kafkajs, as configured by the transport, must never need anything the test broker refuses.
    expect(refusals).toEqual([]);
  });

  afterAll(async () => {
    await db.drop();
  });

  function newTransport(overrides: Partial<KafkaTransportOptions> = {}): KafkaTransport {
    const transport = new KafkaTransport({
      clientId: 'kafka-transport-spec',
      brokers: [broker.bootstrapAddress],
      topics: { numPartitions: 1, replicationFactor: 1 },
      publishTopics: [TOPIC],
      consumerRetry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 },
      logLevel: 'error',
      // Small fetch waits so that kafkajs heartbeats (between fetches) stay well within the session.
      consumer: { sessionTimeoutMs: 6_000, rebalanceTimeoutMs: 6_000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100 },
      shutdownTimeoutMs: 5_000,
      ...overrides,
    });
    transports.push(transport);
    return transport;
  }

  function registration(consumer: string, handle?: ConsumerRegistration['handle'], pool: Pool = db.pool): ConsumerRegistration {
    return { topic: TOPIC, consumer, pool, handle: handle ?? ((event, tx) => recordEffect(consumer, event, tx)) };
  }

  async function effectsOf(consumer: string, pool: Pool = db.pool): Promise<Effect[]> {
    const { rows } = await pool.query<Effect>('SELECT event_id, stream_id, seq FROM effects WHERE consumer = $1 ORDER BY id', [consumer]);
    return rows;
  }

  const committed = (group: string) => broker.committedOffsets(group).map(({ topic, partition, offset }) => ({ topic, partition, offset }));

  it('publishes keyed by stream with envelope headers, and the consumer has the effect once', async () => {
    const group = fresh('notify');
    const transport = newTransport();
    transport.subscribe(registration(group));
    await transport.start();
    expect(broker.topicNames()).toEqual([TOPIC, DLQ]);

    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const event = { ...eventOf(fresh('incident'), 1), traceparent };
    await transport.publish(TOPIC, [event]);

    // publish resolved: the record is on the broker already.
    const [record] = await broker.records(TOPIC, 0);
    expect(record.key?.toString()).toBe(event.streamId);
    expect(JSON.parse(record.value!.toString())).toEqual(event);
    expect(headersAsText(record.headers)).toEqual({
      'event-id': event.eventId,
      'event-type': 'IncidentDeclared',
      'schema-version': '1',
      'correlation-id': event.correlationId,
      traceparent,
    });

    await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 1 }]));
    expect(await effectsOf(group)).toEqual([{ event_id: event.eventId, stream_id: event.streamId, seq: 1 }]);
    expect(await transport.lag()).toEqual([{ consumer: group, groupId: group, topic: TOPIC, partition: 0, committedOffset: 1, highWatermark: 1, lag: 0 }]);
    expect(transport.deadLetteredSinceStart()).toBe(0);
  });

  it('has one effect when the same event is delivered twice', async () => {
    const group = fresh('notify');
    const transport = newTransport();
    transport.subscribe(registration(group));
    await transport.start();

    const event = eventOf(fresh('incident'), 1);
    await transport.publish(TOPIC, [event]);
    await transport.publish(TOPIC, [event]);

    expect(broker.highWatermarks(TOPIC)).toEqual([2]);
    await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]));
    expect(await effectsOf(group)).toHaveLength(1);
    const inbox = await db.pool.query('SELECT event_id FROM inbox WHERE consumer = $1', [group]);
    expect(inbox.rows).toEqual([{ event_id: event.eventId }]);
  });

  it('retries a transient failure, then has the effect once and commits only after it', async () => {
    const group = fresh('notify');
    const attempts: { committedBefore: unknown[] }[] = [];
    const transport = newTransport();
    transport.subscribe(
      registration(group, async (event, tx) => {
        attempts.push({ committedBefore: committed(group) });
        if (attempts.length <= 2) throw new Error('connection reset by peer');
        await recordEffect(group, event, tx);
      }),
    );
    await transport.start();
    await transport.publish(TOPIC, [eventOf(fresh('incident'), 1)]);

    await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 1 }]));
    expect(attempts).toEqual([{ committedBefore: [] }, { committedBefore: [] }, { committedBefore: [] }]);
    expect(await effectsOf(group)).toHaveLength(1);
    expect((await db.pool.query('SELECT 1 FROM dead_letters WHERE consumer = $1', [group])).rowCount).toBe(0);
  });

  it('waits out its database being away, far beyond the retry attempts: nothing dead-lettered, no offset committed before the effect', async () => {
    const group = fresh('notify');
    const tcpSwitch = await TcpSwitch.start('127.0.0.1', Number(new URL(db.url).port));
    const pool = servicePool(tcpSwitch.route(db.url), { max: 2 });
    try {
      const transport = newTransport();
      transport.subscribe(registration(group, undefined, pool));
      await transport.start();
      await tcpSwitch.cut();
      const streamId = fresh('incident');
      await transport.publish(TOPIC, [eventOf(streamId, 1), eventOf(streamId, 2)]);

      // 4 attempts 10–40 ms apart would have given up long before this.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(committed(group)).toEqual([]);
      expect(broker.highWatermarks(DLQ)).toEqual([0]);

      await tcpSwitch.restore();
      await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]), 15_000);
      expect((await effectsOf(group)).map((effect) => effect.seq)).toEqual([1, 2]);
      expect((await db.pool.query('SELECT 1 FROM dead_letters WHERE consumer = $1', [group])).rowCount).toBe(0);
      expect(broker.highWatermarks(DLQ)).toEqual([0]);
      expect(transport.deadLetteredSinceStart()).toBe(0);
    } finally {
      await Promise.all(transports.splice(0).map((t) => t.stop()));
      await pool.end();
      await tcpSwitch.close();
    }
  });

  it('does not dead-letter a message whose database keeps dropping the connection more often than the attempts allow', async () => {
    const group = fresh('notify');
    const pool = servicePool(db.url, { max: 2 });
    let drops = 0;
    try {
      const transport = newTransport();
      transport.subscribe(
        registration(
          group,
          async (event, tx) => {
            // pg_terminate_backend of this very connection: 57P01, as a failover or an operator would.
            if (++drops <= 10) await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
            await recordEffect(group, event, tx);
          },
          pool,
        ),
      );
      await transport.start();
      await transport.publish(TOPIC, [eventOf(fresh('incident'), 1)]);

      await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 1 }]), 15_000);
      expect(drops).toBe(11);
      expect(await effectsOf(group)).toHaveLength(1);
      expect((await db.pool.query('SELECT 1 FROM dead_letters WHERE consumer = $1', [group])).rowCount).toBe(0);
      expect(broker.highWatermarks(DLQ)).toEqual([0]);
    } finally {
      await Promise.all(transports.splice(0).map((t) => t.stop()));
      await pool.end();
    }
  });

  it('dead-letters a message whose handler throws a DomainError, copies it to the .dlq topic, commits it and consumes the next', async () => {
    const group = fresh('notify');
    const streamId = fresh('incident');
    const [poison, next] = [eventOf(streamId, 1), eventOf(streamId, 2)];
    let poisonCalls = 0;
    const transport = newTransport();
    transport.subscribe(
      registration(group, async (event, tx) => {
        if (event.eventId === poison.eventId) {
          poisonCalls += 1;
          throw new ValidationError('INCIDENT.UNKNOWN_SEVERITY', 'severity SEV9 is not a severity');
        }
        await recordEffect(group, event, tx);
      }),
    );
    await transport.start();
    await transport.publish(TOPIC, [poison, next]);

    await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]));
    expect(await effectsOf(group)).toEqual([{ event_id: next.eventId, stream_id: streamId, seq: 2 }]);
    expect(poisonCalls).toBe(1); // deterministic: not retried
    const parked = await db.pool.query('SELECT topic, event_id, event_type, error, attempts FROM dead_letters WHERE consumer = $1', [
      group,
    ]);
    expect(parked.rows).toEqual([
      {
        topic: TOPIC,
        event_id: poison.eventId,
        event_type: 'IncidentDeclared',
        error: 'ValidationError [INCIDENT.UNKNOWN_SEVERITY]: severity SEV9 is not a severity',
        attempts: 1,
      },
    ]);

    const [original] = await broker.records(TOPIC, 0);
    const dlq = await allRecords(broker, DLQ);
    expect(dlq).toHaveLength(1);
    expect(dlq[0].key).toEqual(original.key);
    expect(dlq[0].value).toEqual(original.value);
    expect(headersAsText(dlq[0].headers)).toEqual({
      ...headersAsText(original.headers),
      'dlq-error': 'ValidationError [INCIDENT.UNKNOWN_SEVERITY]: severity SEV9 is not a severity',
      'dlq-consumer': group,
      'dlq-original-partition': '0',
      'dlq-original-offset': '0',
    });
    expect(transport.deadLetteredSinceStart()).toBe(1);
    expect(await transport.status()).toEqual({
      transport: 'kafka',
      up: true,
      problems: [],
      consumerLag: [{ consumer: group, groupId: group, topic: TOPIC, partition: 0, committedOffset: 2, highWatermark: 2, lag: 0 }],
      deadLetterTopics: [{ topic: DLQ, messages: 1 }],
      deadLetteredSinceStart: 1,
    });
  });

  it('reports consumer lag under its prefixed group id while a handler is stuck, and down once stopped', async () => {
    const consumer = fresh('notify');
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const transport = newTransport({ groupIdPrefix: 'staging.' });
    transport.subscribe(
      registration(consumer, async (event, tx) => {
        await stuck;
        await recordEffect(consumer, event, tx);
      }),
    );
    expect(await transport.status()).toMatchObject({ up: false, problems: ['transport is not started'] });
    await transport.start();
    const streamId = fresh('incident');
    await transport.publish(TOPIC, [eventOf(streamId, 1), eventOf(streamId, 2), eventOf(streamId, 3)]);

    await eventually(async () => expect((await transport.status()).consumerLag).toEqual([{ consumer, groupId: `staging.${consumer}`, topic: TOPIC, partition: 0, committedOffset: null, highWatermark: 3, lag: 3 }]));
    expect(broker.committedOffsets(`staging.${consumer}`)).toEqual([]);
    release();
    await eventually(async () => expect((await transport.status()).consumerLag).toMatchObject([{ committedOffset: 3, lag: 0 }]));
    expect(committed(`staging.${consumer}`)).toEqual([{ topic: TOPIC, partition: 0, offset: 3 }]);

    await transport.stop();
    expect(await transport.status()).toMatchObject({ transport: 'kafka', up: false, problems: ['transport is not started'] });
  });

  it('dead-letters a message that is not an envelope without calling the handler, and consumes the next', async () => {
    const group = fresh('notify');
    const handled: string[] = [];
    const transport = newTransport();
    transport.subscribe(
      registration(group, async (event, tx) => {
        handled.push(event.eventId);
        await recordEffect(group, event, tx);
      }),
    );
    await transport.start();

    const producer = new Kafka({ clientId: 'raw-producer', brokers: [broker.bootstrapAddress], logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: TOPIC,
        messages: [{ key: 'garbage', value: '{"eventId": "truncated', headers: { 'event-type': 'IncidentDeclared' } }],
      });
    } finally {
      await producer.disconnect();
    }
    const next = eventOf(fresh('incident'), 1);
    await transport.publish(TOPIC, [next]);

    await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]));
    expect(handled).toEqual([next.eventId]);
    const parked = await db.pool.query<{
      event_type: string;
      error: string;
      envelope: { streamId: string; data: Record<string, unknown> };
    }>('SELECT event_type, error, envelope FROM dead_letters WHERE consumer = $1', [group]);
    expect(parked.rows).toHaveLength(1);
    expect(parked.rows[0].event_type).toBe('IncidentDeclared');
    expect(parked.rows[0].error).toMatch(/^UnparseableMessage: value is not JSON/);
    expect(parked.rows[0].envelope).toMatchObject({
      streamId: 'garbage',
      data: { unparseable: true, raw: '{"eventId": "truncated', offset: '0' },
    });

    const dlq = await allRecords(broker, DLQ);
    expect(dlq.map((r) => ({ key: r.key?.toString(), value: r.value?.toString(), headers: headersAsText(r.headers) }))).toEqual([
      {
        key: 'garbage',
        value: '{"eventId": "truncated',
        headers: {
          'event-type': 'IncidentDeclared',
          'dlq-error': parked.rows[0].error,
          'dlq-consumer': group,
          'dlq-original-partition': '0',
          'dlq-original-offset': '0',
        },
      },
    ]);
    expect(transport.deadLetteredSinceStart()).toBe(1);
  });

  it('commits nothing while the dead-letter write fails, and delivers the message again until it succeeds', async () => {
    const scratch = await createTestDatabase('kafka_transport_no_dlq');
    try {
      await migrate(scratch.pool, { deadLetters: false });
      const group = fresh('notify');
      let poisonCalls = 0;
      const transport = newTransport({ logLevel: 'nothing' });
      transport.subscribe(
        registration(
          group,
          async () => {
            poisonCalls += 1;
            throw new ValidationError('INCIDENT.BROKEN', 'always fails');
          },
          scratch.pool,
        ),
      );
      await transport.start();
      await transport.publish(TOPIC, [eventOf(fresh('incident'), 1)]);

      await eventually(() => expect(poisonCalls).toBeGreaterThanOrEqual(2), 20_000);
      expect(committed(group)).toEqual([]);
      expect(broker.highWatermarks(DLQ)).toEqual([0]);

      const statements: string[] = [];
      await new CreateInboxAndDeadLetters1732000000100().up({ query: async (sql: string) => statements.push(sql) } as never);
      await scratch.pool.query(statements.find((s) => s.includes('dead_letters'))!);

      await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 1 }]), 20_000);
      expect(broker.highWatermarks(DLQ)).toEqual([1]);
      expect((await scratch.pool.query('SELECT 1 FROM dead_letters WHERE consumer = $1', [group])).rowCount).toBe(1);
    } finally {
      await Promise.all(transports.splice(0).map((t) => t.stop()));
      await scratch.drop();
    }
  });

  it('resumes a restarted group from the committed offset after a stop before the last commit, with no lost or repeated effect', async () => {
    const group = fresh('notify');
    const streamId = fresh('incident');
    const events = [1, 2, 3, 4, 5].map((seq) => eventOf(streamId, seq));
    let releaseThird!: () => void;
    const thirdReleased = new Promise<void>((resolve) => (releaseThird = resolve));
    let thirdEntered = false;

    try {
      const first = newTransport({ shutdownTimeoutMs: 300 });
      first.subscribe(
        registration(group, async (event, tx) => {
          await recordEffect(group, event, tx);
          if (event.eventId === events[2].eventId) {
            // Effect written, transaction still open: the process is "killed" here.
            thirdEntered = true;
            await thirdReleased;
          }
        }),
      );
      await first.start();
      await first.publish(TOPIC, events);
      await eventually(() => expect(thirdEntered).toBe(true));
      expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]);

      // Gives up on the third message after shutdownTimeoutMs and leaves the group without committing it.
      await first.stop();
      expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]);
      expect(broker.group(group)?.state).toBe('Empty');

      const secondHandled: number[] = [];
      const second = newTransport();
      second.subscribe(
        registration(group, async (event, tx) => {
          secondHandled.push((event.data as { seq: number }).seq);
          await recordEffect(group, event, tx);
        }),
      );
      await second.start();
      // The redelivered third message waits on the first instance's inbox row...
      await eventually(async () => {
        const waiting = await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [db.name]);
        expect(waiting.rowCount).toBe(1);
      });
      // ...and is a duplicate once that transaction commits.
      releaseThird();

      await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 5 }]));
      expect(secondHandled).toEqual([4, 5]);
      expect((await effectsOf(group)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      releaseThird(); // never leave the transaction (and the database) hanging when an assertion fails
    }
  });

  it('stops gracefully: finishes and commits the message being handled, leaves the group, and resumes after it when restarted', async () => {
    const group = fresh('notify');
    const streamId = fresh('incident');
    const events = [1, 2, 3].map((seq) => eventOf(streamId, seq));
    let releaseSecond!: () => void;
    const secondReleased = new Promise<void>((resolve) => (releaseSecond = resolve));
    let secondEntered = false;
    try {
      const first = newTransport();
      first.subscribe(
        registration(group, async (event, tx) => {
          if (event.eventId === events[1].eventId) {
            secondEntered = true;
            await secondReleased;
          }
          await recordEffect(group, event, tx);
        }),
      );
      await first.start();
      await first.publish(TOPIC, events);
      await eventually(() => expect(secondEntered).toBe(true));

      const stopping = first.stop();
      await expect(first.publish(TOPIC, [eventOf(streamId, 4)])).rejects.toThrow('not started');
      releaseSecond();
      await stopping;
      expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 2 }]);
      expect((await effectsOf(group)).map((e) => e.seq)).toEqual([1, 2]);
      expect(broker.group(group)?.state).toBe('Empty');

      await first.start(); // the same instance, restarted
      await eventually(() => expect(committed(group)).toEqual([{ topic: TOPIC, partition: 0, offset: 3 }]));
      expect((await effectsOf(group)).map((e) => e.seq)).toEqual([1, 2, 3]);
    } finally {
      releaseSecond();
    }
  });

  it('keeps each stream in order across three partitions', async () => {
    const group = fresh('notify');
    const transport = newTransport({
      topics: { numPartitions: 3, replicationFactor: 1 },
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 100, maxWaitTimeMs: 100, partitionsConsumedConcurrently: 3 },
    });
    transport.subscribe(registration(group));
    await transport.start();
    expect(broker.highWatermarks(TOPIC)).toHaveLength(3);
    expect(broker.highWatermarks(DLQ)).toHaveLength(3);

    const streams = Array.from({ length: 8 }, () => fresh('incident'));
    for (let seq = 1; seq <= 5; seq++)
      await transport.publish(
        TOPIC,
        streams.map((streamId) => eventOf(streamId, seq)),
      );

    await eventually(async () => expect(await effectsOf(group)).toHaveLength(40));
    const effects = await effectsOf(group);
    for (const streamId of streams) expect(effects.filter((e) => e.stream_id === streamId).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);

    const records = await allRecords(broker, TOPIC);
    const partitionsOf = (streamId: string) => new Set(records.filter((r) => r.key?.toString() === streamId).map((r) => r.partition));
    for (const streamId of streams) expect(partitionsOf(streamId).size).toBe(1);
    expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);

    const watermarks = broker.highWatermarks(TOPIC);
    await eventually(async () =>
      expect((await transport.lag()).map(({ partition, committedOffset, lag }) => ({ partition, committedOffset, lag }))).toEqual(
        watermarks.map((hw, partition) => ({ partition, committedOffset: hw > 0 ? hw : null, lag: 0 })),
      ),
    );
  });
});
