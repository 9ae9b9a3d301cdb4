import { defineHandler, respond } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode, type ErrorCodeValue } from './error-codes';

interface OffsetCommitRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly topics: readonly { name: string; partitions: { partition: number; offset: number; metadata: string | null }[] }[];
}

type OffsetCommitResponse = readonly { name: string; partitions: { partition: number; errorCode: ErrorCodeValue }[] }[];

/**
 * OffsetCommit (key 8), version 5 only. Commits are checked against the group's generation and
 * membership like Kafka's GroupCoordinator (generation -1 on an empty group is a standalone commit);
 * partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION.
 */
export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: ApiKey.OffsetCommit,
  apiName: 'OffsetCommit',
  minVersion: 5,
  maxVersion: 5,
  decode: (reader) => ({
    groupId: reader.string(),
    generationId: reader.int32(),
    memberId: reader.string(),
    topics: reader.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => ({ partition: p.int32(), offset: p.safeInt64(), metadata: p.nullableString() })),
    })),
  }),
  handle: (request, { broker }) => {
    const outcome = request.groupId === '' ? ErrorCode.INVALID_GROUP_ID : broker.groups.authorizeCommit(request.groupId, request.generationId, request.memberId);
    return respond(
      request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partition, offset, metadata }) => {
          if (outcome !== 'commit') return { partition, errorCode: outcome };
          if (!broker.topics.partition(topic.name, partition)) return { partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          broker.groups.commitOffset(request.groupId, topic.name, partition, offset, metadata);
          return { partition, errorCode: ErrorCode.NONE };
        }),
      })),
    );
  },
  encode: (response, writer) => {
    writer.int32(0).array(response, (w, topic) => {
      w.string(topic.name).array(topic.partitions, (pw, p) => pw.int32(p.partition).int16(p.errorCode));
    });
  },
});
