/** Writer for the non-flexible Kafka primitive types (https://kafka.apache.org/protocol#protocol_types). */
export class ProtocolWriter {
  private readonly chunks: Buffer[] = [];

  int8(value: number): this {
    const buffer = Buffer.alloc(1);
    buffer.writeInt8(value);
    return this.raw(buffer);
  }

  int16(value: number): this {
    const buffer = Buffer.alloc(2);
    buffer.writeInt16BE(value);
    return this.raw(buffer);
  }

  int32(value: number): this {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32BE(value);
    return this.raw(buffer);
  }

  int64(value: number | bigint): this {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(BigInt(value));
    return this.raw(buffer);
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  string(value: string | null): this {
    if (value === null) return this.int16(-1);
    const encoded = Buffer.from(value, 'utf8');
    return this.int16(encoded.length).raw(encoded);
  }

  bytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).raw(value);
  }

  array<T>(items: readonly T[], writeItem: (writer: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  raw(buffer: Buffer): this {
    this.chunks.push(buffer);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
