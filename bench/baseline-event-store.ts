import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * The design's table (/work/shared/design/event-store.md, "Storage") as plain DDL: the same columns,
 * keys and `(transaction_id, global_position)` index as Fireline's, without Fireline's extra CHECK and
 * checkpoint table. This is the "plain SQL, gap-safe table" the design measured.
 */
export const baselineSchemaSql = `
CREATE TABLE events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  stream_type text NOT NULL,
  version bigint NOT NULL,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  schema_version smallint NOT NULL DEFAULT 1,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, version)
);
CREATE INDEX ON events (transaction_id, global_position);
`;

/** One statement: versions `$3+1 … $3+k`, only if the stream's current version is `$3`. */
const APPEND_SQL = `INSERT INTO events (stream_id, stream_type, version, event_id, event_type, schema_version, data, metadata)
SELECT $1, $2, $3::bigint + e.ord, e.event_id, e.event_type, 1, e.data, e.metadata
FROM unnest($4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS e(event_id, event_type, data, metadata, ord)
WHERE (SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1) = $3::bigint`;

const READ_STREAM_SQL = 'SELECT * FROM events WHERE stream_id = $1 ORDER BY version';

const READ_ALL_SQL = `SELECT * FROM events
WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY transaction_id, global_position LIMIT $3`;

/** An event as both stores take it. */
export interface BenchEvent {
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** A row as `pg` returns `SELECT *` (bigint and xid8 as strings, jsonb parsed, timestamptz as Date). */
export interface BaselineRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  stream_type: string;
  version: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
}

/**
 * What an application would write by hand with `pg`: plain parameterised queries, no result mapping
 * beyond what `pg` does. Unnamed statements (parsed and planned on every call) unless `prepared`, which
 * names them as Fireline does, so that comparison isolates everything but statement preparation.
 */
export class BaselineEventStore {
  constructor(
    private readonly pool: Pool,
    private readonly prepared = false,
  ) {}

  private name(statement: string): string | undefined {
    return this.prepared ? `bench_baseline_${statement}` : undefined;
  }

  /** @throws Error when the stream is not at `expectedVersion` (zero rows inserted). */
  async append(streamId: string, streamType: string, events: BenchEvent[], expectedVersion: number): Promise<void> {
    const result = await this.pool.query({
      name: this.name('append'),
      text: APPEND_SQL,
      values: [
        streamId,
        streamType,
        expectedVersion,
        events.map(() => randomUUID()),
        events.map((event) => event.type),
        events.map((event) => JSON.stringify(event.data)),
        events.map((event) => JSON.stringify(event.metadata)),
      ],
    });
    if (result.rowCount !== events.length)
      throw new Error(`Baseline append to ${streamId}: expected version ${expectedVersion} does not match`);
  }

  async readStream(streamId: string): Promise<BaselineRow[]> {
    return (await this.pool.query<BaselineRow>({ name: this.name('read_stream'), text: READ_STREAM_SQL, values: [streamId] })).rows;
  }

  /** One page of the gap-safe global read after `(transactionId, globalPosition)`. */
  async readAllPage(transactionId: string, globalPosition: string, limit: number): Promise<BaselineRow[]> {
    return (
      await this.pool.query<BaselineRow>({
        name: this.name('read_all'),
        text: READ_ALL_SQL,
        values: [transactionId, globalPosition, limit],
      })
    ).rows;
  }
}
