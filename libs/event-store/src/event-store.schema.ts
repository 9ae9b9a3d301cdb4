/**
 * DDL of the event store, in the service's own database (`public` schema). See
 * /work/shared/design/event-store.md ("Storage").
 *
 * - `events`: the store and the outbox. `global_position` is the insert order but NOT a safe cursor on
 *   its own; subscriptions page by `(transaction_id, global_position)`, served by
 *   `events_transaction_id_global_position_idx`. No index on `stream_type`: nothing reads by it yet and
 *   every index costs append throughput.
 * - `subscription_checkpoints`: one row per subscription (`name`), the last `(transaction_id,
 *   global_position)` it processed.
 *
 * Idempotent (`IF NOT EXISTS`), one string of several statements: run it with a parameterless query.
 */
export const eventStoreSchemaSql = `
CREATE TABLE IF NOT EXISTS events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  stream_type text NOT NULL,
  version bigint NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  schema_version smallint NOT NULL DEFAULT 1,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_id_version_key UNIQUE (stream_id, version),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_version_check CHECK (version >= 1)
);
CREATE INDEX IF NOT EXISTS events_transaction_id_global_position_idx ON events (transaction_id, global_position);
CREATE TABLE IF NOT EXISTS subscription_checkpoints (
  name text PRIMARY KEY,
  transaction_id xid8 NOT NULL,
  global_position bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

/** Reverse of `eventStoreSchemaSql`: drops both tables and everything stored in them. */
export const eventStoreDropSql = `
DROP TABLE IF EXISTS subscription_checkpoints;
DROP TABLE IF EXISTS events;
`;
