import crc32C from 'kafkajs/src/protocol/recordBatch/crc32C';
import { ErrorCode, type ErrorCodeValue } from './error-codes';

/**
 * Byte layout of a v2 (magic 2) record batch header, from
 * https://kafka.apache.org/documentation/#recordbatch:
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 * attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 * producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
 * The CRC-32C covers everything from attributes to the end of the batch.
 */
const BASE_OFFSET = 0;
const BATCH_LENGTH = 8;
const MAGIC = 16;
const CRC = 17;
const ATTRIBUTES = 21;
const LAST_OFFSET_DELTA = 23;
const MAX_TIMESTAMP = 35;
const PRODUCER_ID = 43;
const PRODUCER_EPOCH = 51;
const BASE_SEQUENCE = 53;
const RECORD_COUNT = 57;
/** Size of the header up to and including recordCount. */
export const RECORD_BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength precede the bytes that batchLength counts. */
const LOG_OVERHEAD = 12;

const COMPRESSION_MASK = 0x07;
const TRANSACTIONAL_MASK = 0x10;
const CONTROL_MASK = 0x20;
/** none, gzip, snappy, lz4, zstd. */
const MAX_COMPRESSION_CODEC = 4;

/** A produced batch that passed validation; `bytes` is a private copy whose baseOffset may be rewritten. */
export interface ValidRecordBatch {
  readonly bytes: Buffer;
  readonly lastOffsetDelta: number;
  readonly maxTimestamp: number;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

export type RecordBatchValidation =
  | { readonly ok: true; readonly batch: ValidRecordBatch }
  | { readonly ok: false; readonly errorCode: ErrorCodeValue; readonly reason: string };

const invalid = (errorCode: ErrorCodeValue, reason: string): RecordBatchValidation => ({ ok: false, errorCode, reason });

/**
 * Validates the `records` of one Produce partition (v3+): exactly one magic-2 batch, a matching CRC-32C,
 * a known compression codec, no transactional/control flag, and recordCount == lastOffsetDelta + 1.
 * Records themselves are not decompressed: the broker stores and serves the batch bytes as produced.
 */
export function validateProducedBatch(records: Buffer | null): RecordBatchValidation {
  if (records === null || records.length < RECORD_BATCH_HEADER_SIZE) {
    return invalid(ErrorCode.CORRUPT_MESSAGE, `record set of ${records?.length ?? 'null'} bytes is shorter than a batch header`);
  }
  const batchLength = records.readInt32BE(BATCH_LENGTH);
  if (LOG_OVERHEAD + batchLength !== records.length) {
    // Kafka requires exactly one batch per partition in Produce v3+.
    return invalid(ErrorCode.INVALID_RECORD, `batchLength ${batchLength} does not span the ${records.length}-byte record set (one batch per partition)`);
  }
  const magic = records.readInt8(MAGIC);
  if (magic !== 2) return invalid(ErrorCode.INVALID_RECORD, `magic ${magic}; only magic 2 record batches are accepted`);
  const expectedCrc = records.readUInt32BE(CRC);
  const actualCrc = crc32C(records.subarray(ATTRIBUTES));
  if (expectedCrc !== actualCrc) {
    return invalid(ErrorCode.CORRUPT_MESSAGE, `CRC-32C mismatch: batch says ${expectedCrc}, computed ${actualCrc}`);
  }
  const attributes = records.readInt16BE(ATTRIBUTES);
  if ((attributes & COMPRESSION_MASK) > MAX_COMPRESSION_CODEC) {
    return invalid(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `compression codec ${attributes & COMPRESSION_MASK}`);
  }
  if ((attributes & (TRANSACTIONAL_MASK | CONTROL_MASK)) !== 0) {
    return invalid(ErrorCode.INVALID_RECORD, 'transactional/control batches are not supported by the test broker');
  }
  const lastOffsetDelta = records.readInt32BE(LAST_OFFSET_DELTA);
  const recordCount = records.readInt32BE(RECORD_COUNT);
  if (recordCount <= 0 || lastOffsetDelta !== recordCount - 1) {
    return invalid(ErrorCode.INVALID_RECORD, `recordCount ${recordCount} with lastOffsetDelta ${lastOffsetDelta}`);
  }
  const bytes = Buffer.from(records);
  return {
    ok: true,
    batch: {
      bytes,
      lastOffsetDelta,
      maxTimestamp: Number(records.readBigInt64BE(MAX_TIMESTAMP)),
      producerId: records.readBigInt64BE(PRODUCER_ID),
      producerEpoch: records.readInt16BE(PRODUCER_EPOCH),
      baseSequence: records.readInt32BE(BASE_SEQUENCE),
    },
  };
}

/** Assigns the batch its log position. baseOffset is outside the CRC, so the checksum stays valid. */
export function setBaseOffset(bytes: Buffer, baseOffset: number): void {
  bytes.writeBigInt64BE(BigInt(baseOffset), BASE_OFFSET);
}
