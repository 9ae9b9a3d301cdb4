import type { PoolClient } from 'pg';

/**
 * How an append guards the stream's current version:
 * - a number `n`: the stream must be at exactly version `n` (0 = the stream must not exist);
 * - `'no_stream'`: same as 0; `'stream_exists'`: at least one event; `'any'`: no check.
 */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

/** Stored next to each event. `occurredAt` is ISO-8601 UTC from the command's clock. */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string | null;
  actor?: string;
  traceparent?: string;
  occurredAt?: string;
  [key: string]: unknown;
}

/** A domain event before it is stored. `eventId` (UUID) defaults to a random one. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  eventId?: string;
  /** Defaults to 1. Readers upcast older versions through the store's upcasters. */
  schemaVersion?: number;
  metadata?: EventMetadata;
}

/**
 * A stored event. `globalPosition` and `transactionId` are Postgres bigint/xid8 rendered as decimal
 * strings (they can exceed 2^53). `version` is 1-based within the stream.
 */
export interface RecordedEvent<TType extends string = string, TData = unknown> {
  globalPosition: string;
  transactionId: string;
  streamId: string;
  streamType: string;
  version: number;
  eventId: string;
  type: TType;
  schemaVersion: number;
  data: TData;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** A subscription cursor: the last `(transaction_id, global_position)` pair it has processed. */
export interface Checkpoint {
  transactionId: string;
  globalPosition: string;
}

export const START_CHECKPOINT: Checkpoint = { transactionId: '0', globalPosition: '0' };

/** Turns an event stored with an old `schemaVersion` into the current shape, on read. */
export interface Upcaster {
  eventType: string;
  fromSchemaVersion: number;
  upcast(data: unknown): { schemaVersion: number; data: unknown };
}

/** A pg client inside a transaction the caller controls. */
export type TransactionClient = PoolClient;
