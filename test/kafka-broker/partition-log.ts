import Decoder from 'kafkajs/src/protocol/decoder';
import decodeRecordBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder';
import { setBaseOffset, type ValidRecordBatch } from './record-batch';

interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly bytes: Buffer;
}

/** A record as decoded for test introspection and timestamp lookups. */
export interface StoredRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | Buffer[] | null>;
}

/**
 * One partition's log: record batches in offset order, kept as the produced bytes with the broker-assigned
 * base offset. Single replica, no retention: log start offset is 0 and the high watermark is the log end.
 */
export class PartitionLog {
  private readonly batches: StoredBatch[] = [];
  private logEndOffset = 0;

  readonly logStartOffset = 0;

  get highWatermark(): number {
    return this.logEndOffset;
  }

  /** Appends a validated batch and returns its base offset. */
  append(batch: ValidRecordBatch): number {
    const baseOffset = this.logEndOffset;
    setBaseOffset(batch.bytes, baseOffset);
    this.batches.push({
      baseOffset,
      lastOffset: baseOffset + batch.lastOffsetDelta,
      maxTimestamp: batch.maxTimestamp,
      bytes: batch.bytes,
    });
    this.logEndOffset = baseOffset + batch.lastOffsetDelta + 1;
    return baseOffset;
  }

  /**
   * Whole batches from the one containing `fetchOffset`, as Kafka serves them (the client drops records
   * below its fetch offset). Stops before exceeding `maxBytes`, except that the first batch is returned
   * even when larger if `allowOversizedFirstBatch` (KIP-74), so a consumer can always make progress.
   */
  read(fetchOffset: number, maxBytes: number, allowOversizedFirstBatch: boolean): Buffer[] {
    const out: Buffer[] = [];
    let size = 0;
    for (let i = this.indexOfBatchContaining(fetchOffset); i < this.batches.length; i++) {
      const bytes = this.batches[i].bytes;
      const fits = size + bytes.length <= maxBytes;
      if (!fits && !(out.length === 0 && allowOversizedFirstBatch)) break;
      out.push(bytes);
      size += bytes.length;
    }
    return out;
  }

  /** All records, decoded with kafkajs's record-batch decoder (for assertions in tests). */
  async records(): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    for (const batch of this.batches) records.push(...(await decode(batch)));
    return records;
  }

  /**
   * ListOffsets by timestamp: the earliest offset whose record timestamp is >= `timestamp`, or null.
   * Batches whose max timestamp is lower are skipped without decoding.
   */
  async offsetForTimestamp(timestamp: number): Promise<{ offset: number; timestamp: number } | null> {
    for (const batch of this.batches) {
      if (batch.maxTimestamp < timestamp) continue;
      const match = (await decode(batch)).find((record) => record.timestamp >= timestamp);
      if (match) return { offset: match.offset, timestamp: match.timestamp };
    }
    return null;
  }

  private indexOfBatchContaining(offset: number): number {
    let low = 0;
    let high = this.batches.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.batches[mid].lastOffset < offset) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

async function decode(batch: StoredBatch): Promise<StoredRecord[]> {
  const decoded = await decodeRecordBatch(new Decoder(batch.bytes));
  return decoded.records.map((record) => ({
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    key: record.key,
    value: record.value,
    headers: record.headers,
  }));
}
