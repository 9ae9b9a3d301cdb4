import { defineHandler, respond, UnsupportedRequestError, type RequestContext } from './api-handler';
import { ApiKey } from './api-keys';
import { ErrorCode, type ErrorCodeValue } from './error-codes';
import { validateProducedBatch } from './record-batch';

interface ProduceRequest {
  readonly transactionalId: string | null;
  readonly acks: number;
  readonly timeoutMs: number;
  readonly topics: readonly { name: string; partitions: { partition: number; records: Buffer | null }[] }[];
}

interface PartitionResult {
  readonly partition: number;
  readonly errorCode: ErrorCodeValue;
  readonly baseOffset: number;
  readonly logStartOffset: number;
}

type ProduceResponse = readonly { name: string; partitions: PartitionResult[] }[];

/**
 * Produce (key 0), versions 5-7 (identical on the wire; v7 only announces zstd support). Each partition
 * carries exactly one v2 record batch whose CRC-32C is verified (CORRUPT_MESSAGE otherwise); the broker
 * assigns offsets and stores the bytes. Idempotent batches (producerId >= 0) are checked against the
 * producer's epoch and sequence: retries of one of the last five batches are answered with their original
 * offset, gaps get OUT_OF_ORDER_SEQUENCE_NUMBER. acks -1 and 1 are equivalent on one node; acks 0 gets no
 * response, and a connection close if anything failed. Transactional produce is refused.
 */
export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: ApiKey.Produce,
  apiName: 'Produce',
  minVersion: 5,
  maxVersion: 7,
  decode: (reader) => ({
    transactionalId: reader.nullableString(),
    acks: reader.int16(),
    timeoutMs: reader.int32(),
    topics: reader.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => ({ partition: p.int32(), records: p.nullableBytes() })),
    })),
  }),
  handle: (request, context) => {
    if (request.transactionalId !== null) {
      throw new UnsupportedRequestError(`transactional produce (transactional_id=${request.transactionalId}) is not supported`);
    }
    const validAcks = request.acks === -1 || request.acks === 0 || request.acks === 1;
    const response = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) =>
        validAcks ? appendToPartition(context, topic.name, p.partition, p.records) : failure(p.partition, ErrorCode.INVALID_REQUIRED_ACKS),
      ),
    }));
    if (response.some((t) => t.partitions.some((p) => p.errorCode === ErrorCode.NONE))) context.broker.appends.notify();
    if (request.acks !== 0) return respond(response);
    const failed = response.flatMap((t) => t.partitions.filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => `${t.name}-${p.partition}: ${p.errorCode}`));
    return failed.length > 0 ? { kind: 'close-connection', reason: `acks=0 produce failed (${failed.join(', ')})` } : { kind: 'no-response' };
  },
  encode: (response, writer) => {
    writer
      .array(response, (w, topic) => {
        w.string(topic.name).array(topic.partitions, (pw, p) => {
          pw.int32(p.partition).int16(p.errorCode).int64(p.baseOffset).int64(-1).int64(p.logStartOffset);
        });
      })
      .int32(0);
  },
});

const failure = (partition: number, errorCode: ErrorCodeValue): PartitionResult => ({ partition, errorCode, baseOffset: -1, logStartOffset: -1 });

function appendToPartition(context: RequestContext, topic: string, partition: number, records: Buffer | null): PartitionResult {
  const { broker } = context;
  const log = broker.topics.partition(topic, partition);
  if (!log) return failure(partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const validation = validateProducedBatch(records);
  if (!validation.ok) return failure(partition, validation.errorCode);
  const batch = validation.batch;
  const success = (baseOffset: number): PartitionResult => ({ partition, errorCode: ErrorCode.NONE, baseOffset, logStartOffset: log.logStartOffset });
  if (batch.producerId < 0n) return success(log.append(batch));

  const partitionKey = `${partition}:${topic}`;
  const recordCount = batch.lastOffsetDelta + 1;
  const check = broker.producers.check(batch.producerId, batch.producerEpoch, partitionKey, batch.baseSequence, recordCount);
  switch (check.kind) {
    case 'reject':
      return failure(partition, check.errorCode);
    case 'duplicate':
      return success(check.baseOffset);
    case 'append': {
      const baseOffset = log.append(batch);
      broker.producers.record(batch.producerId, partitionKey, batch.baseSequence, recordCount, baseOffset);
      return success(baseOffset);
    }
    default: {
      const _never: never = check;
      return _never;
    }
  }
}
