import { defineHandler, respond } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode, type ErrorCodeValue } from './error-codes';
import { TopicRegistry } from './topic-registry';

interface CreatableTopic {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: readonly { partition: number; brokerIds: number[] }[];
  readonly configs: readonly { name: string; value: string | null }[];
}

interface CreateTopicsRequest {
  readonly topics: readonly CreatableTopic[];
  readonly timeoutMs: number;
  readonly validateOnly: boolean;
}

interface CreateTopicResult {
  readonly name: string;
  readonly errorCode: ErrorCodeValue;
  readonly errorMessage: string | null;
}

const MAX_PARTITIONS = 10_000;
const DEFAULT_PARTITIONS = 1;

/**
 * CreateTopics (key 19), versions 2-3 (identical on the wire). Replication factor 1 only (single node;
 * -1 means the default, 1),
 * explicit assignments must place every partition on node 0, and topic configs are refused with
 * INVALID_CONFIG because this broker does not implement any (retention, compaction...).
 */
export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicResult[]>({
  apiKey: ApiKey.CreateTopics,
  apiName: 'CreateTopics',
  minVersion: 2,
  maxVersion: 3,
  decode: (reader) => ({
    topics: reader.array((r) => ({
      name: r.string(),
      numPartitions: r.int32(),
      replicationFactor: r.int16(),
      assignments: r.array((a) => ({ partition: a.int32(), brokerIds: a.array((b) => b.int32()) })),
      configs: r.array((c) => ({ name: c.string(), value: c.nullableString() })),
    })),
    timeoutMs: reader.int32(),
    validateOnly: reader.boolean(),
  }),
  handle: (request, { broker }) => {
    const counts = new Map<string, number>();
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
    return respond(
      request.topics.map((topic): CreateTopicResult => {
        const fail = (errorCode: ErrorCodeValue, errorMessage: string): CreateTopicResult => ({ name: topic.name, errorCode, errorMessage });
        if ((counts.get(topic.name) ?? 0) > 1) return fail(ErrorCode.INVALID_REQUEST, `topic ${topic.name} appears more than once in the request`);
        if (!TopicRegistry.isLegalName(topic.name)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `illegal topic name '${topic.name}'`);
        if (broker.topics.has(topic.name)) return fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic.name}' already exists.`);
        if (topic.configs.length > 0) {
          return fail(ErrorCode.INVALID_CONFIG, `KafkaTestBroker implements no topic configs (got ${topic.configs.map((c) => c.name).join(', ')})`);
        }
        const partitions = planPartitions(topic);
        if (typeof partitions !== 'number') return fail(partitions.errorCode, partitions.message);
        if (!request.validateOnly) broker.topics.create(topic.name, partitions);
        return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null };
      }),
    );
  },
  encode: (results, writer) => {
    writer.int32(0).array(results, (w, result) => w.string(result.name).int16(result.errorCode).string(result.errorMessage));
  },
});

function planPartitions(topic: CreatableTopic): number | { errorCode: ErrorCodeValue; message: string } {
  if (topic.assignments.length === 0) {
    // -1 means the broker default (num.partitions=1, default.replication.factor=1); Kafka brokers since
    // 2.4 accept it whatever the request version, and kafkajs sends -1 when replicationFactor is omitted.
    const numPartitions = topic.numPartitions === -1 ? DEFAULT_PARTITIONS : topic.numPartitions;
    const replicationFactor = topic.replicationFactor === -1 ? 1 : topic.replicationFactor;
    if (numPartitions < 1 || numPartitions > MAX_PARTITIONS) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, message: `numPartitions must be 1..${MAX_PARTITIONS}, got ${topic.numPartitions}` };
    }
    if (replicationFactor !== 1) {
      return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, message: `single-node broker: replication factor must be 1, got ${topic.replicationFactor}` };
    }
    return numPartitions;
  }
  // With a manual assignment Kafka requires numPartitions and replicationFactor to be -1.
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    return { errorCode: ErrorCode.INVALID_REQUEST, message: 'numPartitions and replicationFactor must be -1 with a replica assignment' };
  }
  const sorted = [...topic.assignments].sort((a, b) => a.partition - b.partition);
  const valid = sorted.every((a, i) => a.partition === i && a.brokerIds.length === 1 && a.brokerIds[0] === 0);
  if (!valid) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: 'partitions must be 0..n-1, each on node [0]' };
  return sorted.length;
}
