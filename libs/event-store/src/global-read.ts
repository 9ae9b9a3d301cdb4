import type { Pool, PoolClient } from 'pg';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row';
import type { Checkpoint, RecordedEvent } from './event-store.types';

/** Anything that runs a query: the pool (autocommit) or a client (the caller's transaction). */
export type Queryable = Pool | PoolClient;

// Output columns are aliased to the column names (cast to text): ORDER BY must name `events.<column>`,
// or Postgres sorts by the text alias.

/**
 * The gap-safe global read (design: "Reading in global order without gaps"). Transactions still open
 * when the statement's snapshot was taken are hidden (`transaction_id < xmin`), so nothing can later
 * commit behind a cursor that only ever moves to rows this query returned.
 */
const GAP_SAFE_WHERE =
  '(transaction_id, global_position) > ($1::xid8, $2::bigint) ' + 'AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())';

const READ_ALL_SQL = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${GAP_SAFE_WHERE} ORDER BY events.transaction_id, events.global_position LIMIT $3`;

const READ_ALL_TYPES_SQL =
  `SELECT ${EVENT_COLUMNS} FROM events WHERE ${GAP_SAFE_WHERE} AND event_type = ANY($4::text[]) ` +
  'ORDER BY events.transaction_id, events.global_position LIMIT $3';

// Scans every event of the page (so the cursor can pass events of other types) but ships payloads only
// for the wanted types.
const SCAN_TYPES_SQL =
  'SELECT global_position::text AS global_position, transaction_id::text AS transaction_id, stream_id, stream_type, ' +
  'version::text AS version, event_id::text AS event_id, event_type, schema_version, ' +
  'CASE WHEN event_type = ANY($4::text[]) THEN data END AS data, ' +
  'CASE WHEN event_type = ANY($4::text[]) THEN metadata END AS metadata, recorded_at ' +
  `FROM events WHERE ${GAP_SAFE_WHERE} ORDER BY events.transaction_id, events.global_position LIMIT $3`;

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

/** Events after `after` in `(transaction_id, global_position)` order, at most `limit`, only `eventTypes` if given. */
export async function readGlobal(
  db: Queryable,
  after: Checkpoint,
  limit: number,
  eventTypes: readonly string[] | undefined,
): Promise<RecordedEvent[]> {
  assertLimit(limit);
  const result = eventTypes
    ? await db.query<EventRow>({
        name: 'fireline_es_read_all_types',
        text: READ_ALL_TYPES_SQL,
        values: [after.transactionId, after.globalPosition, limit, eventTypes],
      })
    : await db.query<EventRow>({
        name: 'fireline_es_read_all',
        text: READ_ALL_SQL,
        values: [after.transactionId, after.globalPosition, limit],
      });
  return result.rows.map(toRecordedEvent);
}

/** One scanned page: the wanted events, and the cursor after the last scanned event (null when none). */
export interface ScannedPage {
  events: RecordedEvent[];
  scanned: number;
  last: Checkpoint | null;
}

/**
 * Scans up to `limit` events after `after`; returns those of `eventTypes` (all when undefined) and the
 * position of the last scanned one, so a subscription's checkpoint also moves past filtered-out events.
 */
export async function scanGlobalPage(
  db: Queryable,
  after: Checkpoint,
  limit: number,
  eventTypes: readonly string[] | undefined,
): Promise<ScannedPage> {
  assertLimit(limit);
  if (!eventTypes) {
    const events = await readGlobal(db, after, limit, undefined);
    const lastEvent = events.at(-1);
    return { events, scanned: events.length, last: lastEvent ? checkpointOf(lastEvent) : null };
  }
  const result = await db.query<EventRow>({
    name: 'fireline_es_scan_types',
    text: SCAN_TYPES_SQL,
    values: [after.transactionId, after.globalPosition, limit, eventTypes],
  });
  const wanted = new Set(eventTypes);
  const lastRow = result.rows.at(-1);
  return {
    events: result.rows.filter((row) => wanted.has(row.event_type)).map(toRecordedEvent),
    scanned: result.rows.length,
    last: lastRow ? { transactionId: lastRow.transaction_id, globalPosition: lastRow.global_position } : null,
  };
}

const HAS_EVENTS_AFTER_SQL = `SELECT EXISTS (SELECT 1 FROM events WHERE ${GAP_SAFE_WHERE}) AS more`;

/**
 * Whether the gap-safe global read would return anything after `after` now (one cheap index probe,
 * outside any transaction): what a page would find, without its transaction, lock and checkpoint.
 */
export async function hasEventsAfter(db: Queryable, after: Checkpoint): Promise<boolean> {
  const result = await db.query<{ more: boolean }>({ name: 'fireline_es_has_events_after', text: HAS_EVENTS_AFTER_SQL, values: [after.transactionId, after.globalPosition] });
  return result.rows[0]?.more === true;
}

/** The checkpoint that points at `event`. */
export function checkpointOf(event: RecordedEvent): Checkpoint {
  return { transactionId: event.transactionId, globalPosition: event.globalPosition };
}

/** Orders checkpoints as the global read does: by transaction id, then global position. */
export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  const byTransaction = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (byTransaction !== 0n) return byTransaction < 0n ? -1 : 1;
  const byPosition = BigInt(a.globalPosition) - BigInt(b.globalPosition);
  return byPosition === 0n ? 0 : byPosition < 0n ? -1 : 1;
}
