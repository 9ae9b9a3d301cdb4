import { defineHandler, respond, UnsupportedRequestError, type RequestContext } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode, type ErrorCodeValue } from './error-codes';

interface FetchPartition {
  readonly partition: number;
  readonly currentLeaderEpoch: number;
  readonly fetchOffset: number;
  readonly partitionMaxBytes: number;
}

interface FetchRequest {
  readonly replicaId: number;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly isolationLevel: number;
  readonly sessionId: number;
  readonly sessionEpoch: number;
  readonly topics: readonly { name: string; partitions: FetchPartition[] }[];
}

interface FetchedPartition {
  readonly partition: number;
  readonly errorCode: ErrorCodeValue;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly batches: readonly Buffer[];
}

interface FetchResponse {
  readonly errorCode: ErrorCodeValue;
  readonly topics: readonly { name: string; partitions: FetchedPartition[] }[];
}

/** The consumer replica id; anything else is a follower fetch, which a single node never serves. */
const CONSUMER_REPLICA_ID = -1;
/** session_epoch -1 with session_id 0 is a full, sessionless fetch (KIP-227). */
const FINAL_EPOCH = -1;

/**
 * Fetch (key 1), version 11 only. Returns whole record batches from the one containing fetch_offset,
 * within partition_max_bytes and max_bytes (the first batch may exceed them, KIP-74). When fewer than
 * min_bytes are available it long-polls up to max_wait_ms, woken by any append. OFFSET_OUT_OF_RANGE
 * when fetch_offset is outside [log start, high watermark]. No incremental fetch sessions: session_id is
 * always 0 in the response (a broker may decline to create one), and a non-zero session_id in the request
 * gets FETCH_SESSION_ID_NOT_FOUND. Follower fetches (replica_id != -1) are refused. Without transactions,
 * last_stable_offset equals the high watermark for both isolation levels.
 */
export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  apiKey: ApiKey.Fetch,
  apiName: 'Fetch',
  minVersion: 11,
  maxVersion: 11,
  decode: (reader) => {
    const request = {
      replicaId: reader.int32(),
      maxWaitMs: reader.int32(),
      minBytes: reader.int32(),
      maxBytes: reader.int32(),
      isolationLevel: reader.int8(),
      sessionId: reader.int32(),
      sessionEpoch: reader.int32(),
      topics: reader.array((t) => ({
        name: t.string(),
        partitions: t.array((p) => {
          const partition = p.int32();
          const currentLeaderEpoch = p.int32();
          const fetchOffset = p.safeInt64();
          p.int64(); // log_start_offset: only meaningful for follower fetches
          return { partition, currentLeaderEpoch, fetchOffset, partitionMaxBytes: p.int32() };
        }),
      })),
    };
    reader.array((t) => ({ name: t.string(), partitions: t.array((p) => p.int32()) })); // forgotten_topics_data
    reader.string(); // rack_id: there is only one replica to prefer
    return request;
  },
  handle: async (request, context) => {
    if (request.replicaId !== CONSUMER_REPLICA_ID) {
      throw new UnsupportedRequestError(`follower fetch (replica_id=${request.replicaId}) is not supported`);
    }
    if (request.sessionId !== 0) return respond({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, topics: [] });
    if (request.sessionEpoch !== FINAL_EPOCH && request.sessionEpoch !== 0) {
      return respond({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, topics: [] });
    }
    const deadline = Date.now() + request.maxWaitMs;
    for (;;) {
      const response = readPartitions(request, context);
      const bytes = response.topics.reduce((sum, t) => sum + t.partitions.reduce((s, p) => s + p.batches.reduce((b, x) => b + x.length, 0), 0), 0);
      const anyError = response.topics.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE));
      const remaining = deadline - Date.now();
      if (bytes >= request.minBytes || anyError || remaining <= 0 || context.closed.aborted) return respond(response);
      await context.broker.appends.waitForAppend(remaining, context.closed);
    }
  },
  encode: (response, writer) => {
    writer
      .int32(0)
      .int16(response.errorCode)
      .int32(0)
      .array(response.topics, (w, topic) => {
        w.string(topic.name).array(topic.partitions, (pw, p) => {
          pw.int32(p.partition)
            .int16(p.errorCode)
            .int64(p.highWatermark)
            .int64(p.highWatermark) // last_stable_offset
            .int64(p.logStartOffset)
            .array<never>([], () => undefined) // aborted_transactions
            .int32(-1); // preferred_read_replica
          const records = Buffer.concat(p.batches);
          pw.bytes(records);
        });
      });
  },
});

function readPartitions(request: FetchRequest, { broker }: RequestContext): FetchResponse {
  let budget = request.maxBytes;
  let servedAny = false;
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((p): FetchedPartition => {
      const log = broker.topics.partition(topic.name, p.partition);
      const failed = (errorCode: ErrorCodeValue, highWatermark = -1, logStartOffset = -1): FetchedPartition => ({
        partition: p.partition,
        errorCode,
        highWatermark,
        logStartOffset,
        batches: [],
      });
      if (!log) return failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (p.currentLeaderEpoch > 0) return failed(ErrorCode.UNKNOWN_LEADER_EPOCH);
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.highWatermark) {
        return failed(ErrorCode.OFFSET_OUT_OF_RANGE, log.highWatermark, log.logStartOffset);
      }
      const batches = log.read(p.fetchOffset, Math.min(p.partitionMaxBytes, budget), !servedAny);
      const size = batches.reduce((sum, b) => sum + b.length, 0);
      budget = Math.max(0, budget - size);
      servedAny ||= batches.length > 0;
      return { partition: p.partition, errorCode: ErrorCode.NONE, highWatermark: log.highWatermark, logStartOffset: log.logStartOffset, batches };
    }),
  }));
  return { errorCode: ErrorCode.NONE, topics };
}
