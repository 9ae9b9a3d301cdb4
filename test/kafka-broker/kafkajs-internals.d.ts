/**
 * Minimal types for the kafkajs 2.2.4 internals this test broker reuses by deep import.
 * Source: node_modules/kafkajs/src/protocol/{decoder.js,recordBatch/crc32C/index.js,recordBatch/v0/decoder.js}.
 */
declare module 'kafkajs/src/protocol/recordBatch/crc32C' {
  /** CRC-32C (Castagnoli) of `buffer`, as an unsigned 32-bit number. */
  function crc32C(buffer: Buffer): number;
  export = crc32C;
}

declare module 'kafkajs/src/protocol/decoder' {
  class Decoder {
    constructor(buffer: Buffer);
    offset: number;
  }
  export = Decoder;
}

declare module 'kafkajs/src/protocol/recordBatch/v0/decoder' {
  import type Decoder from 'kafkajs/src/protocol/decoder';

  interface DecodedRecord {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | Buffer[] | null>;
  }

  interface DecodedRecordBatch {
    firstOffset: string;
    lastOffsetDelta: number;
    producerId: string;
    producerEpoch: number;
    firstSequence: number;
    inTransaction: boolean;
    isControlBatch: boolean;
    records: DecodedRecord[];
  }

  /** Decodes one v2 (magic 2) record batch, decompressing with the codecs kafkajs has registered. */
  function decodeRecordBatch(decoder: Decoder): Promise<DecodedRecordBatch>;
  namespace decodeRecordBatch {
    export { DecodedRecord, DecodedRecordBatch };
  }
  export = decodeRecordBatch;
}

declare module 'kafkajs/src/protocol/recordBatch/record/v0' {
  interface RecordEncoder {
    readonly buffer: Buffer;
  }
  /** Encodes one v2 record (varint framing, headers). */
  function Record(record: { offsetDelta: number; timestampDelta: number; key: string | null; value: string | null; headers?: Record<string, string> }): RecordEncoder;
  export = Record;
}

declare module 'kafkajs/src/protocol/recordBatch/v0' {
  import type Record from 'kafkajs/src/protocol/recordBatch/record/v0';
  /** Encodes a v2 record batch (baseOffset + length + header + CRC-32C + records). */
  export function RecordBatch(options: { records: ReturnType<typeof Record>[]; lastOffsetDelta: number; firstTimestamp?: number; maxTimestamp?: number }): Promise<{ readonly buffer: Buffer }>;
}
