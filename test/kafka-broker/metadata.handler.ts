import { defineHandler, respond } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode, type ErrorCodeValue } from './error-codes';

interface MetadataRequest {
  /** null means every topic. */
  readonly topics: readonly string[] | null;
  readonly allowAutoTopicCreation: boolean;
}

interface TopicMetadata {
  readonly errorCode: ErrorCodeValue;
  readonly name: string;
  readonly partitionCount: number;
}

interface MetadataResponse {
  readonly host: string;
  readonly port: number;
  readonly nodeId: number;
  readonly clusterId: string;
  readonly topics: readonly TopicMetadata[];
}

/**
 * Metadata (key 3), versions 5-6 (identical on the wire; v6 only changes throttling semantics).
 * One broker, which leads every partition. Unknown topics answer UNKNOWN_TOPIC_OR_PARTITION whatever
 * allow_auto_topic_creation says: this broker never auto-creates.
 */
export const metadataHandler = defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: ApiKey.Metadata,
  apiName: 'Metadata',
  minVersion: 5,
  maxVersion: 6,
  decode: (reader) => ({
    topics: reader.nullableArray((r) => r.string()),
    allowAutoTopicCreation: reader.boolean(),
  }),
  handle: (request, { broker }) => {
    const names = request.topics ?? broker.topics.all().map((t) => t.name);
    const { host, port } = broker.advertisedAddress();
    return respond({
      host,
      port,
      nodeId: broker.nodeId,
      clusterId: broker.clusterId,
      topics: [...new Set(names)].map((name) => {
        const topic = broker.topics.get(name);
        return topic
          ? { errorCode: ErrorCode.NONE, name, partitionCount: topic.partitions.length }
          : { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitionCount: 0 };
      }),
    });
  },
  encode: (response, writer) => {
    writer
      .int32(0)
      .array([response.nodeId], (w, nodeId) => w.int32(nodeId).string(response.host).int32(response.port).string(null))
      .string(response.clusterId)
      .int32(response.nodeId)
      .array(response.topics, (w, topic) => {
        w.int16(topic.errorCode).string(topic.name).boolean(false);
        const partitions = Array.from({ length: topic.partitionCount }, (_, i) => i);
        w.array(partitions, (pw, partition) => {
          pw.int16(ErrorCode.NONE).int32(partition).int32(response.nodeId);
          pw.array([response.nodeId], (x, id) => x.int32(id)); // replicas
          pw.array([response.nodeId], (x, id) => x.int32(id)); // isr
          pw.array<number>([], (x, id) => x.int32(id)); // offline_replicas
        });
      });
  },
});
