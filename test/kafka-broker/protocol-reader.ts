/** Thrown when a request does not parse; the connection refuses it rather than guessing. */
export class MalformedRequestError extends Error {
  override readonly name = 'MalformedRequestError';
}

/**
 * Bounds-checked reader for the non-flexible (pre-KIP-482) Kafka primitive types:
 * https://kafka.apache.org/protocol#protocol_types. Every read past the end throws.
 */
export class ProtocolReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  remaining(): number {
    return this.buffer.length - this.offset;
  }

  int8(): number {
    return this.take(1).readInt8(0);
  }

  int16(): number {
    return this.take(2).readInt16BE(0);
  }

  int32(): number {
    return this.take(4).readInt32BE(0);
  }

  int64(): bigint {
    return this.take(8).readBigInt64BE(0);
  }

  /** An INT64 that must fit a JS number (offsets, timestamps); larger values are malformed here. */
  safeInt64(): number {
    const value = this.int64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new MalformedRequestError(`INT64 ${value} does not fit the test broker's offset range`);
    }
    return Number(value);
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < 0) throw new MalformedRequestError(`negative STRING length ${length}`);
    return this.take(length).toString('utf8');
  }

  string(): string {
    const value = this.nullableString();
    if (value === null) throw new MalformedRequestError('null where a non-nullable STRING is required');
    return value;
  }

  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw new MalformedRequestError(`negative BYTES length ${length}`);
    return Buffer.from(this.take(length));
  }

  bytes(): Buffer {
    const value = this.nullableBytes();
    if (value === null) throw new MalformedRequestError('null where non-nullable BYTES are required');
    return value;
  }

  nullableArray<T>(readItem: (reader: ProtocolReader) => T): T[] | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw new MalformedRequestError(`negative ARRAY length ${length}`);
    // Every element takes at least one byte: refuse absurd lengths before allocating.
    if (length > this.remaining()) throw new MalformedRequestError(`ARRAY length ${length} exceeds the request`);
    const items: T[] = [];
    for (let i = 0; i < length; i++) items.push(readItem(this));
    return items;
  }

  array<T>(readItem: (reader: ProtocolReader) => T): T[] {
    const value = this.nullableArray(readItem);
    if (value === null) throw new MalformedRequestError('null where a non-nullable ARRAY is required');
    return value;
  }

  /** Everything not read yet (the request body after the header). */
  rest(): Buffer {
    return this.take(this.remaining());
  }

  assertFullyConsumed(): void {
    if (this.remaining() !== 0) {
      throw new MalformedRequestError(`${this.remaining()} unexpected trailing bytes in request`);
    }
  }

  private take(length: number): Buffer {
    if (this.offset + length > this.buffer.length) {
      throw new MalformedRequestError(
        `read of ${length} bytes at ${this.offset} runs past the end of a ${this.buffer.length}-byte request`,
      );
    }
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}
