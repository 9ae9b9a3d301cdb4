import { defineHandler, respond } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode } from './error-codes';

interface OffsetFetchRequest {
  readonly groupId: string;
  /** null means every partition the group has committed. */
  readonly topics: readonly { name: string; partitions: number[] }[] | null;
}

type OffsetFetchResponse = readonly { name: string; partitions: { partition: number; offset: number; metadata: string | null }[] }[];

/**
 * OffsetFetch (key 9), versions 3-4 (identical on the wire). Partitions without a committed offset
 * answer offset -1 with empty metadata and no error, as Kafka does.
 */
export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: ApiKey.OffsetFetch,
  apiName: 'OffsetFetch',
  minVersion: 3,
  maxVersion: 4,
  decode: (reader) => ({
    groupId: reader.string(),
    topics: reader.nullableArray((t) => ({ name: t.string(), partitions: t.array((p) => p.int32()) })),
  }),
  handle: (request, { broker }) => {
    if (request.topics === null) {
      const byTopic = new Map<string, { partition: number; offset: number; metadata: string | null }[]>();
      for (const c of broker.groups.committedOffsets(request.groupId)) {
        byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), { partition: c.partition, offset: c.offset, metadata: c.metadata }]);
      }
      return respond([...byTopic.entries()].map(([name, partitions]) => ({ name, partitions })));
    }
    return respond(
      request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => {
          const committed = broker.groups.committedOffset(request.groupId, topic.name, partition);
          return { partition, offset: committed?.offset ?? -1, metadata: committed ? committed.metadata : '' };
        }),
      })),
    );
  },
  encode: (response, writer) => {
    writer
      .int32(0)
      .array(response, (w, topic) => {
        w.string(topic.name).array(topic.partitions, (pw, p) => pw.int32(p.partition).int64(p.offset).string(p.metadata).int16(ErrorCode.NONE));
      })
      .int16(ErrorCode.NONE);
  },
});
