import { defineHandler, respond, UnsupportedRequestError } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode, type ErrorCodeValue } from './error-codes';

interface ListOffsetsRequest {
  readonly replicaId: number;
  readonly isolationLevel: number;
  readonly topics: readonly { name: string; partitions: { partition: number; timestamp: number }[] }[];
}

interface ListedOffset {
  readonly partition: number;
  readonly errorCode: ErrorCodeValue;
  readonly timestamp: number;
  readonly offset: number;
}

type ListOffsetsResponse = readonly { name: string; partitions: ListedOffset[] }[];

const LATEST = -1;
const EARLIEST = -2;

/**
 * ListOffsets (key 2), versions 2-3 (identical on the wire). Timestamp -1 gives the high watermark
 * (which is also the last stable offset: no transactions), -2 the log start offset, and a real timestamp
 * the first offset whose record timestamp is at least that (offset -1 when there is none).
 */
export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: ApiKey.ListOffsets,
  apiName: 'ListOffsets',
  minVersion: 2,
  maxVersion: 3,
  decode: (reader) => ({
    replicaId: reader.int32(),
    isolationLevel: reader.int8(),
    topics: reader.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => ({ partition: p.int32(), timestamp: p.safeInt64() })),
    })),
  }),
  handle: async (request, { broker }) => {
    if (request.replicaId !== -1) throw new UnsupportedRequestError(`ListOffsets from replica ${request.replicaId} is not supported`);
    const response = [];
    for (const topic of request.topics) {
      const partitions: ListedOffset[] = [];
      for (const { partition, timestamp } of topic.partitions) {
        const log = broker.topics.partition(topic.name, partition);
        if (!log) {
          partitions.push({ partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 });
        } else if (timestamp === LATEST) {
          partitions.push({ partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.highWatermark });
        } else if (timestamp === EARLIEST) {
          partitions.push({ partition, errorCode: ErrorCode.NONE, timestamp: -1, offset: log.logStartOffset });
        } else if (timestamp < 0) {
          partitions.push({ partition, errorCode: ErrorCode.INVALID_REQUEST, timestamp: -1, offset: -1 });
        } else {
          const found = await log.offsetForTimestamp(timestamp);
          partitions.push({ partition, errorCode: ErrorCode.NONE, timestamp: found?.timestamp ?? -1, offset: found?.offset ?? -1 });
        }
      }
      response.push({ name: topic.name, partitions });
    }
    return respond(response);
  },
  encode: (response, writer) => {
    writer.int32(0).array(response, (w, topic) => {
      w.string(topic.name).array(topic.partitions, (pw, p) => {
        pw.int32(p.partition).int16(p.errorCode).int64(p.timestamp).int64(p.offset);
      });
    });
  },
});
