import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import Record from 'kafkajs/src/protocol/recordBatch/record/v0';
import { RecordBatch } from 'kafkajs/src/protocol/recordBatch/v0';
import { eventually } from '../support/eventually';
import { ApiKey } from './api-keys';
import { ErrorCode } from './error-codes';
import { KafkaTestBroker } from './kafka-test-broker';
import { ProtocolReader } from './protocol-reader';
import { ProtocolWriter } from './protocol-writer';
import { RawKafkaConnection } from './raw-kafka-connection';

jest.setTimeout(20_000);

interface Consumed {
  readonly consumer: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
}

const fresh = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

describe(KafkaTestBroker.name, () => {
  const refusalLog: string[] = [];
  const broker = new KafkaTestBroker({ log: (line) => refusalLog.push(line) });
  let kafka: Kafka;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    const { host, port } = await broker.start();
    kafka = new Kafka({ clientId: 'broker-spec', brokers: [`${host}:${port}`], logLevel: logLevel.NOTHING });
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    // kafkajs must never need anything the broker refuses; only the raw test client provokes refusals.
    expect(broker.refusals.filter((r) => r.clientId !== 'raw-test-client')).toEqual([]);
  });

  afterAll(async () => {
    await broker.stop();
  });

  async function createTopic(numPartitions: number): Promise<string> {
    const topic = fresh('topic');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions }] });
    } finally {
      await admin.disconnect();
    }
    return topic;
  }

  async function produce(topic: string, messages: { key: string; value: string; headers?: Record<string, string> }[]): Promise<void> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({ topic, messages });
    } finally {
      await producer.disconnect();
    }
  }

  /** Starts a group consumer that records what it processes; `onMessage` may commit. */
  async function startConsumer(
    name: string,
    groupId: string,
    topic: string,
    sink: Consumed[],
    options: {
      autoCommit?: boolean;
      onMessage?: (consumer: Consumer, payload: EachMessagePayload) => Promise<void>;
      /** Receives this consumer's partitions of `topic` after every group join. */
      onAssignment?: (partitions: number[]) => void;
    } = {},
  ): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000, rebalanceTimeout: 6_000, heartbeatInterval: 100, maxWaitTimeInMs: 200 });
    consumers.push(consumer);
    consumer.on(consumer.events.GROUP_JOIN, (event) => options.onAssignment?.([...(event.payload.memberAssignment[topic] ?? [])].sort()));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: options.autoCommit ?? true,
      eachMessage: async (payload) => {
        const { partition, message } = payload;
        sink.push({ consumer: name, partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null });
        await options.onMessage?.(consumer, payload);
      },
    });
    return consumer;
  }

  it('creates topics and answers TOPIC_ALREADY_EXISTS when the topic exists', async () => {
    const topic = fresh('created');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await expect(admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).resolves.toBe(true);
      expect(await admin.listTopics()).toContain(topic);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      expect(broker.highWatermarks(topic)).toEqual([0, 0, 0]);

      // kafkajs maps an all-TOPIC_ALREADY_EXISTS answer to `false`.
      await expect(admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).resolves.toBe(false);
      await expect(admin.createTopics({ topics: [{ topic: fresh('replicated'), numPartitions: 1, replicationFactor: 3 }] })).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR' })],
      });
    } finally {
      await admin.disconnect();
    }

    const raw = await RawKafkaConnection.open(broker.bootstrapAddress.split(':')[0], Number(broker.bootstrapAddress.split(':')[1]));
    try {
      const body = new ProtocolWriter()
        .array([topic], (w, name) => w.string(name).int32(1).int16(1).int32(0).int32(0))
        .int32(1_000)
        .boolean(false)
        .toBuffer();
      const reader = new ProtocolReader(await raw.request(ApiKey.CreateTopics, 3, body));
      reader.int32(); // throttle_time_ms
      const [result] = reader.array((r) => ({ name: r.string(), errorCode: r.int16(), message: r.nullableString() }));
      expect(result).toEqual({ name: topic, errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${topic}' already exists.` });
    } finally {
      raw.close();
    }
  });

  it('routes each key to one partition and serves messages in order with keys and headers', async () => {
    const topic = await createTopic(4);
    const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const partitionOf = new Map<string, Set<number>>();
    try {
      for (let round = 0; round < 3; round++) {
        const results = await producer.send({
          topic,
          messages: keys.map((key) => ({ key, value: `${key}-${round}`, headers: { round: String(round), source: 'spec' } })),
        });
        for (const result of results) expect(result.errorCode).toBe(0);
      }
    } finally {
      await producer.disconnect();
    }

    let total = 0;
    for (let partition = 0; partition < 4; partition++) {
      const records = await broker.records(topic, partition);
      total += records.length;
      for (const record of records) {
        const key = record.key!.toString();
        partitionOf.set(key, (partitionOf.get(key) ?? new Set()).add(partition));
      }
    }
    expect(total).toBe(18);
    for (const key of keys) expect(partitionOf.get(key)?.size).toBe(1);
    expect(new Set([...partitionOf.values()].map((s) => [...s][0])).size).toBeGreaterThan(1);

    const consumed: { key: string; value: string; partition: number; headers: Record<string, string> }[] = [];
    const consumer = kafka.consumer({ groupId: fresh('reader'), maxWaitTimeInMs: 200, heartbeatInterval: 100 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        consumed.push({
          partition,
          key: message.key!.toString(),
          value: message.value!.toString(),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await eventually(() => expect(consumed).toHaveLength(18));
    for (const key of keys) {
      const ofKey = consumed.filter((m) => m.key === key);
      expect(ofKey.map((m) => m.value)).toEqual([0, 1, 2].map((round) => `${key}-${round}`));
      expect(ofKey.map((m) => m.headers)).toEqual([0, 1, 2].map((round) => ({ round: String(round), source: 'spec' })));
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
    }
  });

  it('commits manually with autoCommit off, then resumes a restarted consumer after the last committed offset', async () => {
    const topic = await createTopic(1);
    const groupId = fresh('manual');
    await produce(topic, Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: `m${i}` })));

    const first: Consumed[] = [];
    await startConsumer('first', groupId, topic, first, {
      autoCommit: false,
      onMessage: async (consumer, { topic: t, partition, message }) => {
        // Commit only the first four: offsets 4 and 5 are processed but not committed.
        if (Number(message.offset) < 4) await consumer.commitOffsets([{ topic: t, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    await eventually(() => expect(first.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4, 5]));
    await eventually(() => expect(broker.committedOffsets(groupId)).toEqual([{ topic, partition: 0, offset: 4, metadata: null }]));
    await consumers.pop()!.disconnect();
    await eventually(() => expect(broker.group(groupId)?.state).toBe('Empty'));

    const second: Consumed[] = [];
    await startConsumer('second', groupId, topic, second);
    await eventually(() => expect(second.map((m) => m.value)).toEqual(['m4', 'm5']));
    await eventually(() => expect(broker.committedOffsets(groupId)).toEqual([{ topic, partition: 0, offset: 6, metadata: null }]));
  });

  it('commits automatically with the default autoCommit', async () => {
    const topic = await createTopic(2);
    const groupId = fresh('auto');
    await produce(topic, Array.from({ length: 10 }, (_, i) => ({ key: `key-${i}`, value: `v${i}` })));
    const seen: Consumed[] = [];
    await startConsumer('auto', groupId, topic, seen);
    await eventually(() => expect(seen).toHaveLength(10));
    const watermarks = broker.highWatermarks(topic);
    await eventually(() =>
      expect(broker.committedOffsets(groupId).map((c) => [c.partition, c.offset])).toEqual(watermarks.map((hw, p) => [p, hw]).filter(([, hw]) => hw > 0)),
    );
  });

  it('splits the partitions when a second consumer joins and processes no committed message twice', async () => {
    const topic = await createTopic(4);
    const groupId = fresh('rebalance');
    const seen: Consumed[] = [];
    const assignments = new Map<string, number[]>();

    await startConsumer('first', groupId, topic, seen, { onAssignment: (partitions) => assignments.set('first', partitions) });
    await produce(topic, Array.from({ length: 12 }, (_, i) => ({ key: `key-${i}`, value: `before-${i}` })));
    await eventually(() => expect(seen).toHaveLength(12));
    await eventually(() => expect(broker.committedOffsets(groupId).reduce((sum, c) => sum + c.offset, 0)).toBe(12));
    const generationBefore = broker.group(groupId)!.generationId;

    await startConsumer('second', groupId, topic, seen, { onAssignment: (partitions) => assignments.set('second', partitions) });
    await eventually(() => {
      const group = broker.group(groupId)!;
      expect(group.state).toBe('Stable');
      expect(group.memberIds).toHaveLength(2);
      expect(group.generationId).toBeGreaterThan(generationBefore);
      expect(assignments.get('first')).toHaveLength(2);
      expect(assignments.get('second')).toHaveLength(2);
    });
    expect([...assignments.get('first')!, ...assignments.get('second')!].sort()).toEqual([0, 1, 2, 3]);

    await produce(topic, Array.from({ length: 12 }, (_, i) => ({ key: `key-${i}`, value: `after-${i}` })));
    await eventually(() => expect(seen).toHaveLength(24));
    const ids = seen.map((m) => `${m.partition}:${m.offset}`);
    expect(new Set(ids).size).toBe(24);
    for (const m of seen.filter((x) => x.value!.startsWith('after-'))) {
      expect(assignments.get(m.consumer)).toContain(m.partition);
    }
    expect(new Set(seen.filter((x) => x.value!.startsWith('after-')).map((m) => m.consumer))).toEqual(new Set(['first', 'second']));
  });

  it('refuses an API key it does not implement by closing the connection', async () => {
    const [host, port] = broker.bootstrapAddress.split(':');
    const raw = await RawKafkaConnection.open(host, Number(port));
    const DESCRIBE_GROUPS = 15;
    await expect(raw.request(DESCRIBE_GROUPS, 0, new ProtocolWriter().array(['g'], (w, g) => w.string(g)).toBuffer())).rejects.toThrow('connection closed');
    await raw.closed;
    expect(broker.refusals.at(-1)).toMatchObject({ apiKey: DESCRIBE_GROUPS, apiVersion: 0, action: 'closed-connection' });
    expect(refusalLog.at(-1)).toMatch(/API key 15 v0; not implemented/);

    const again = await RawKafkaConnection.open(host, Number(port));
    await expect(again.request(ApiKey.Fetch, 4, Buffer.alloc(0))).rejects.toThrow('connection closed');
    expect(broker.refusals.at(-1)?.reason).toMatch(/Fetch \(key 1\) v4; implemented v11-11/);
  });

  it('answers ApiVersions with exactly the implemented ranges, and UNSUPPORTED_VERSION to an unknown version', async () => {
    const [host, port] = broker.bootstrapAddress.split(':');
    const raw = await RawKafkaConnection.open(host, Number(port));
    try {
      const readBody = (body: Buffer, withThrottle: boolean) => {
        const reader = new ProtocolReader(body);
        const errorCode = reader.int16();
        const apis = reader.array((r) => ({ apiKey: r.int16(), minVersion: r.int16(), maxVersion: r.int16() }));
        if (withThrottle) reader.int32();
        reader.assertFullyConsumed();
        return { errorCode, apis };
      };
      expect(readBody(await raw.request(ApiKey.ApiVersions, 2, Buffer.alloc(0)), true)).toEqual({ errorCode: 0, apis: broker.supportedApis });
      expect(readBody(await raw.request(ApiKey.ApiVersions, 3, Buffer.alloc(0)), false)).toEqual({ errorCode: ErrorCode.UNSUPPORTED_VERSION, apis: broker.supportedApis });
    } finally {
      raw.close();
    }
  });

  it('rejects a record batch whose CRC-32C does not match with CORRUPT_MESSAGE', async () => {
    const topic = await createTopic(1);
    const batch = Buffer.from((await RecordBatch({ records: [Record({ offsetDelta: 0, timestampDelta: 0, key: 'k', value: 'v' })], lastOffsetDelta: 0 })).buffer);
    batch[batch.length - 1] ^= 0xff;
    const body = new ProtocolWriter()
      .string(null)
      .int16(-1)
      .int32(1_000)
      .array([topic], (w, name) => w.string(name).array([0], (pw, partition) => pw.int32(partition).bytes(batch)))
      .toBuffer();
    const [host, port] = broker.bootstrapAddress.split(':');
    const raw = await RawKafkaConnection.open(host, Number(port));
    try {
      const reader = new ProtocolReader(await raw.request(ApiKey.Produce, 7, body));
      const [result] = reader.array((r) => ({ name: r.string(), partitions: r.array((p) => ({ partition: p.int32(), errorCode: p.int16(), baseOffset: p.int64() })) }));
      expect(result.partitions[0]).toEqual({ partition: 0, errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1n });
      expect(broker.highWatermarks(topic)).toEqual([0]);
    } finally {
      raw.close();
    }
  });
});
