import type { EventMetadata, RecordedEvent } from './event-store.types';

/**
 * Columns selected for a `RecordedEvent`. Positions are cast to text so that an app-wide pg type
 * parser for int8 cannot turn them into lossy numbers.
 */
export const EVENT_COLUMNS =
  'global_position::text AS global_position, transaction_id::text AS transaction_id, stream_id, stream_type, ' +
  'version::text AS version, event_id::text AS event_id, event_type, schema_version, data, metadata, recorded_at';

/** One `events` row as pg returns it for `EVENT_COLUMNS`. */
export interface EventRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  stream_type: string;
  version: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata | null;
  recorded_at: Date;
}

/** Maps a row to a `RecordedEvent` (before upcasting). */
export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    globalPosition: row.global_position,
    transactionId: row.transaction_id,
    streamId: row.stream_id,
    streamType: row.stream_type,
    version: Number(row.version),
    eventId: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata ?? {},
    recordedAt: row.recorded_at,
  };
}
