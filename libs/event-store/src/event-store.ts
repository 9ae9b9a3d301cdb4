import { randomUUID } from 'node:crypto';
import { ConcurrencyError, IdempotencyKeyReusedError, ValidationError } from '@fireline/errors';
import type { Pool, PoolClient } from 'pg';
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from './event-row';
import {
  type Checkpoint,
  type EventMetadata,
  type ExpectedVersion,
  type NewEvent,
  type RecordedEvent,
  START_CHECKPOINT,
  type Upcaster,
} from './event-store.types';
import { type Queryable, readGlobal } from './global-read';
import { createUpcast } from './upcasting';

/** What `appendToStream` resolves with. */
export interface AppendResult {
  /** The stream's version after the append (pass it as the next `expectedVersion`). */
  nextExpectedVersion: number;
  /** The stored events, ordered by version. On an idempotent retry: the events stored the first time. */
  recorded: RecordedEvent[];
  /** True when every event id was already stored in this stream (an idempotent retry): nothing was written. */
  alreadyAppended: boolean;
}

/** Options of `EventStore`. */
export interface EventStoreOptions {
  /** Applied on every read (see `Upcaster`); at most one per `(eventType, fromSchemaVersion)`. */
  upcasters?: Upcaster[];
}

/** Options of `EventStore.appendToStream`. */
export interface AppendOptions {
  /** E.g. `incident`; stored with each event. */
  streamType: string;
  expectedVersion: ExpectedVersion;
  /** Run inside the caller's transaction (the client must be inside `BEGIN … COMMIT`). */
  client?: PoolClient;
}

/** Options of `EventStore.readStream`; versions are inclusive, 1-based. */
export interface ReadStreamOptions {
  fromVersion?: number;
  toVersion?: number;
  client?: PoolClient;
}

/** Options of `EventStore.readAll`. */
export interface ReadAllOptions {
  /** Maximum number of events returned (positive integer). */
  limit: number;
  /** Only these event types (the others are skipped, not returned). */
  eventTypes?: string[];
  client?: PoolClient;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SMALLINT = 32767;
/** `'any'` / `'stream_exists'` appends re-run after losing a version race (they have no version to be stale against). */
const MAX_UNGUARDED_ATTEMPTS = 25;

type Guard = 'exact' | 'no_stream' | 'stream_exists' | 'any';

const GUARD_SQL: Record<Guard, string> = {
  exact: 'cur.v = $8::bigint',
  no_stream: 'cur.v = 0',
  stream_exists: 'cur.v > 0',
  any: 'true',
};

/**
 * One statement: the stream's current version, and the insert of versions `v+1 … v+k` only when the
 * guard holds and none of the event ids is stored yet. The left join returns one row with a null
 * `global_position` when nothing was inserted, so the current version comes back either way.
 */
function appendSql(guard: Guard): string {
  return `WITH cur AS (
  SELECT coalesce(max(version), 0)::bigint AS v FROM events WHERE stream_id = $1
), ins AS (
  INSERT INTO events (stream_id, stream_type, version, event_id, event_type, schema_version, data, metadata)
  SELECT $1, $2, cur.v + e.ord, e.event_id, e.event_type, e.schema_version, e.data, e.metadata
  FROM cur, unnest($3::uuid[], $4::text[], $5::smallint[], $6::jsonb[], $7::jsonb[])
    WITH ORDINALITY AS e(event_id, event_type, schema_version, data, metadata, ord)
  WHERE ${GUARD_SQL[guard]}
    AND NOT EXISTS (SELECT 1 FROM events x WHERE x.event_id = ANY($3::uuid[]))
  ORDER BY e.ord
  RETURNING global_position::text AS global_position, transaction_id::text AS transaction_id,
    version::text AS version, event_id::text AS event_id, recorded_at
)
SELECT cur.v::text AS current_version, ins.* FROM cur LEFT JOIN ins ON true`;
}

const APPEND_SQL: Record<Guard, string> = {
  exact: appendSql('exact'),
  no_stream: appendSql('no_stream'),
  stream_exists: appendSql('stream_exists'),
  any: appendSql('any'),
};

interface AppendRow {
  current_version: string;
  global_position: string | null;
  transaction_id: string | null;
  version: string | null;
  event_id: string | null;
  recorded_at: Date | null;
}

interface PreparedEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  dataJson: string;
  metadataJson: string;
}

const CURRENT_VERSION_SQL = 'SELECT coalesce(max(version), 0)::text AS v FROM events WHERE stream_id = $1';
// One statement, so one snapshot: the events and the stream's current version can never disagree (two
// statements could see an empty stream and then a concurrent first write, and a command would be decided
// on the empty state but appended behind that write). The LEFT JOIN keeps one row when no event matches.
const READ_STREAM_SQL =
  'SELECT v.current_version::text AS current_version, e.* FROM ' +
  '(SELECT coalesce(max(version), 0) AS current_version FROM events WHERE stream_id = $1) v ' +
  `LEFT JOIN LATERAL (SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND version >= $2::bigint AND version <= $3::bigint) e ON true ` +
  'ORDER BY e.version::bigint';
const EVENTS_BY_ID_SQL = `SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY events.global_position`;
const HEAD_SQL =
  'SELECT transaction_id::text AS transaction_id, global_position::text AS global_position FROM events ' +
  'WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1';

function isUniqueViolation(error: unknown): error is Error & { code: string; constraint?: string } {
  return error instanceof Error && (error as { code?: unknown }).code === '23505';
}

function guardOf(expected: ExpectedVersion): Guard {
  if (typeof expected === 'number') return expected === 0 ? 'no_stream' : 'exact';
  return expected;
}

function matches(expected: ExpectedVersion, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'stream_exists') return current > 0;
  if (expected === 'no_stream') return current === 0;
  return current === expected;
}

/**
 * The event store on PostgreSQL (tables from `eventStoreSchemaSql` / `CreateEventStore1732000000000`).
 * Stateless apart from its pool: one instance per database is enough, and it is safe to share.
 */
export class EventStore {
  private readonly upcast: (event: RecordedEvent) => RecordedEvent;

  /**
   * @param pool the service's database.
   * @param options.upcasters applied on every read; throws Error when two share `(eventType, fromSchemaVersion)`.
   */
  constructor(
    private readonly pool: Pool,
    options: EventStoreOptions = {},
  ) {
    this.upcast = createUpcast(options.upcasters);
  }

  /**
   * Appends `events` to `streamId` as versions `current+1 … current+k`, in one statement, if the stream's
   * version satisfies `expectedVersion` (number: exactly that, 0 = no stream; `'no_stream'`;
   * `'stream_exists'`; `'any'`). Events without `eventId` get a random UUID; `schemaVersion` defaults
   * to 1, `metadata` to `{}`. An empty `events` writes nothing but still checks the expectation.
   *
   * Idempotent retry: if every event id is already stored in this stream, nothing is written and the
   * result has `alreadyAppended: true`, the stored events and the stream's current version.
   *
   * Without `client`, an `'any'` / `'stream_exists'` append that loses a version race is re-run (up to 25
   * times), and a race with an identical retry resolves as `alreadyAppended`. With `client`, a unique
   * violation aborts the caller's transaction: it surfaces as `ConcurrencyError` and the caller retries
   * the whole transaction.
   *
   * @throws ConcurrencyError (code `STREAM.WRONG_EXPECTED_VERSION`) when the version does not match or
   *   another append took the same version first (`actualVersion` undefined then).
   * @throws IdempotencyKeyReusedError (code `EVENT_STORE.EVENT_ID_REUSED`) when some of the event ids
   *   are stored already, but not all of them or not in this stream.
   * @throws ValidationError (code `EVENT_STORE.INVALID_APPEND`) on a malformed argument.
   */
  async appendToStream(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const { streamType, expectedVersion, client } = options;
    validateAppend(streamId, events, streamType, expectedVersion);
    const db: Queryable = client ?? this.pool;
    if (events.length === 0) {
      const current = await this.currentVersion(db, streamId);
      if (!matches(expectedVersion, current)) throw new ConcurrencyError(streamId, expectedVersion, current);
      return { nextExpectedVersion: current, recorded: [], alreadyAppended: false };
    }
    const prepared: PreparedEvent[] = events.map((event) => ({
      eventId: (event.eventId ?? randomUUID()).toLowerCase(),
      type: event.type,
      schemaVersion: event.schemaVersion ?? 1,
      dataJson: JSON.stringify(event.data ?? null),
      metadataJson: JSON.stringify(event.metadata ?? {}),
    }));
    const guard = guardOf(expectedVersion);
    const unguarded = guard === 'stream_exists' || guard === 'any';
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tryAppend(db, streamId, streamType, prepared, expectedVersion, guard);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Inside the caller's transaction the violation has aborted it: only the caller can retry.
        if (client !== undefined) throw new ConcurrencyError(streamId, expectedVersion, undefined);
        // Another append committed first. If it stored these very ids, this is a racing identical retry
        // (whichever unique index Postgres happened to check first).
        const stored = await this.findStored(
          db,
          streamId,
          prepared.map((event) => event.eventId),
        );
        if (stored) return stored;
        if (!unguarded || attempt >= MAX_UNGUARDED_ATTEMPTS) throw new ConcurrencyError(streamId, expectedVersion, undefined);
      }
    }
  }

  /**
   * The events of one stream ordered by version, from `fromVersion` (default 1) to `toVersion` (default:
   * the end), upcast. `currentVersion` is the stream's latest version (0 when it does not exist), also
   * when the range stops earlier.
   * @throws RangeError when a bound is not a positive integer.
   */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<{ events: RecordedEvent[]; currentVersion: number }> {
    const fromVersion = options.fromVersion ?? 1;
    const toVersion = options.toVersion ?? Number.MAX_SAFE_INTEGER;
    for (const [label, value] of [
      ['fromVersion', fromVersion],
      ['toVersion', toVersion],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${label} must be a positive integer, got ${value}`);
    }
    const db: Queryable = options.client ?? this.pool;
    const result = await db.query<EventRow & { current_version: string }>({
      name: 'fireline_es_read_stream',
      text: READ_STREAM_SQL,
      values: [streamId, fromVersion, toVersion],
    });
    const events = result.rows.filter((row) => row.event_id !== null).map((row) => this.upcast(toRecordedEvent(row)));
    return { events, currentVersion: Number(result.rows[0]?.current_version ?? 0) };
  }

  /**
   * Up to `limit` events after the checkpoint `after`, in `(transactionId, globalPosition)` order, upcast.
   * Events of transactions still open are not returned yet (gap-safe: nothing can later appear before
   * the last returned event), so a caller that stores the last event's checkpoint misses nothing.
   * With `eventTypes`, other events are skipped (they do not count toward `limit`).
   * @throws RangeError when `limit` is not a positive integer.
   */
  async readAll(after: Checkpoint, options: ReadAllOptions): Promise<RecordedEvent[]> {
    const events = await readGlobal(options.client ?? this.pool, after, options.limit, options.eventTypes);
    return events.map(this.upcast);
  }

  /** The checkpoint of the newest event `readAll` can see now; `START_CHECKPOINT` when there is none. */
  async headCheckpoint(client?: PoolClient): Promise<Checkpoint> {
    const result = await (client ?? this.pool).query<{ transaction_id: string; global_position: string }>(HEAD_SQL);
    const row = result.rows[0];
    return row ? { transactionId: row.transaction_id, globalPosition: row.global_position } : { ...START_CHECKPOINT };
  }

  private async currentVersion(db: Queryable, streamId: string): Promise<number> {
    const result = await db.query<{ v: string }>({ name: 'fireline_es_current_version', text: CURRENT_VERSION_SQL, values: [streamId] });
    return Number(result.rows[0]?.v ?? 0);
  }

  private async tryAppend(
    db: Queryable,
    streamId: string,
    streamType: string,
    events: PreparedEvent[],
    expectedVersion: ExpectedVersion,
    guard: Guard,
  ): Promise<AppendResult> {
    const eventIds = events.map((event) => event.eventId);
    const values: unknown[] = [
      streamId,
      streamType,
      eventIds,
      events.map((event) => event.type),
      events.map((event) => event.schemaVersion),
      events.map((event) => event.dataJson),
      events.map((event) => event.metadataJson),
    ];
    if (guard === 'exact') values.push(expectedVersion);
    const result = await db.query<AppendRow>({ name: `fireline_es_append_${guard}`, text: APPEND_SQL[guard], values });
    const currentVersion = Number(result.rows[0]?.current_version ?? 0);
    const inserted = result.rows.filter((row) => row.global_position !== null);
    if (inserted.length === 0) return this.explainRejectedAppend(db, streamId, eventIds, expectedVersion, currentVersion);
    if (inserted.length !== events.length) {
      throw new Error(`Append to ${streamId} inserted ${inserted.length} of ${events.length} events`); // cannot happen: one statement
    }
    const byId = new Map(events.map((event) => [event.eventId, event]));
    const recorded = inserted
      .map((row): RecordedEvent => {
        const event = byId.get(row.event_id as string) as PreparedEvent;
        return this.upcast({
          globalPosition: row.global_position as string,
          transactionId: row.transaction_id as string,
          streamId,
          streamType,
          version: Number(row.version),
          eventId: event.eventId,
          type: event.type,
          schemaVersion: event.schemaVersion,
          // Parsed back from the stored JSON, so the result equals what a later read returns.
          data: JSON.parse(event.dataJson) as unknown,
          metadata: JSON.parse(event.metadataJson) as EventMetadata,
          recordedAt: row.recorded_at as Date,
        });
      })
      .sort((a, b) => a.version - b.version);
    return { nextExpectedVersion: currentVersion + events.length, recorded, alreadyAppended: false };
  }

  /** Nothing was inserted: either the ids are stored already (idempotent retry) or the version is wrong. */
  private async explainRejectedAppend(
    db: Queryable,
    streamId: string,
    eventIds: string[],
    expectedVersion: ExpectedVersion,
    currentVersion: number,
  ): Promise<AppendResult> {
    const stored = await this.findStored(db, streamId, eventIds, currentVersion);
    if (!stored) throw new ConcurrencyError(streamId, expectedVersion, currentVersion);
    return stored;
  }

  /**
   * The idempotent-retry result when `eventIds` are all stored in `streamId`; null when none is stored.
   * @throws IdempotencyKeyReusedError when only some are stored, or in another stream.
   */
  private async findStored(db: Queryable, streamId: string, eventIds: string[], currentVersion?: number): Promise<AppendResult | null> {
    const result = await db.query<EventRow>({ name: 'fireline_es_events_by_id', text: EVENTS_BY_ID_SQL, values: [eventIds] });
    if (result.rows.length === 0) return null;
    const foreign = result.rows.filter((row) => row.stream_id !== streamId);
    if (foreign.length > 0 || result.rows.length !== eventIds.length) {
      throw new IdempotencyKeyReusedError(
        'EVENT_STORE.EVENT_ID_REUSED',
        `Event ids appended to ${streamId} are already stored ${foreign.length > 0 ? 'in another stream' : 'for a different batch'}`,
        { streamId, eventIds, storedIn: [...new Set(result.rows.map((row) => row.stream_id))] },
      );
    }
    const recorded = result.rows.map((row) => this.upcast(toRecordedEvent(row))).sort((a, b) => a.version - b.version);
    const current = currentVersion ?? (await this.currentVersion(db, streamId));
    return { nextExpectedVersion: Math.max(current, recorded.at(-1)?.version ?? 0), recorded, alreadyAppended: true };
  }
}

function validateAppend(streamId: string, events: NewEvent[], streamType: string, expected: ExpectedVersion): void {
  const problems: { field: string; message: string }[] = [];
  if (typeof streamId !== 'string' || streamId.length === 0) problems.push({ field: 'streamId', message: 'must be a non-empty string' });
  if (typeof streamType !== 'string' || streamType.length === 0)
    problems.push({ field: 'streamType', message: 'must be a non-empty string' });
  if (typeof expected === 'number' && !(Number.isSafeInteger(expected) && expected >= 0)) {
    problems.push({ field: 'expectedVersion', message: 'must be a non-negative integer' });
  }
  const seen = new Set<string>();
  events.forEach((event, index) => {
    if (typeof event.type !== 'string' || event.type.length === 0)
      problems.push({ field: `events.${index}.type`, message: 'must be a non-empty string' });
    if (event.eventId !== undefined) {
      if (!UUID_PATTERN.test(event.eventId)) problems.push({ field: `events.${index}.eventId`, message: 'must be a UUID' });
      else if (seen.has(event.eventId.toLowerCase()))
        problems.push({ field: `events.${index}.eventId`, message: 'is repeated in the batch' });
      else seen.add(event.eventId.toLowerCase());
    }
    const schemaVersion = event.schemaVersion;
    if (schemaVersion !== undefined && !(Number.isInteger(schemaVersion) && schemaVersion >= 1 && schemaVersion <= MAX_SMALLINT)) {
      problems.push({ field: `events.${index}.schemaVersion`, message: `must be an integer in 1..${MAX_SMALLINT}` });
    }
  });
  if (problems.length > 0)
    throw new ValidationError('EVENT_STORE.INVALID_APPEND', `Invalid append to stream ${String(streamId)}`, problems);
}
