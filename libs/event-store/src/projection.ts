import type { Pool, PoolClient } from 'pg';
import { type Checkpoint, type RecordedEvent, START_CHECKPOINT, type Upcaster } from './event-store.types';
import { EventStore } from './event-store';
import { compareCheckpoints, scanGlobalPage } from './global-read';
import { rollbackAndRelease, SUBSCRIPTION_LOCK_SQL, type SubscriptionHandler, writeCheckpoint } from './subscription';
import { createUpcast } from './upcasting';

/**
 * A read model fed by a subscription. `apply` writes to `table` — the live `tableName`, or the shadow
 * table during `rebuildProjection` — using `tx` only, and must not depend on rows outside `table`
 * that the rebuild does not recreate.
 */
export interface Projection {
  /** Stable name; its subscription is `'projection:' + name`. */
  name: string;
  /** The live table: `table` or `schema.table`, unquoted identifiers. */
  tableName: string;
  eventTypes?: string[];
  apply(events: RecordedEvent[], tx: PoolClient, table: string): Promise<void>;
}

/** Options of `rebuildProjection`. */
export interface RebuildProjectionOptions {
  /** Events scanned per transaction (default 1000). */
  batchSize?: number;
  /** Use the same ones as the `EventStore` and the live `Subscription`. */
  upcasters?: Upcaster[];
}

/**
 * Thrown by `rebuildProjection` when a rebuild of the same table is already running, in this process
 * or any other on the same database (the guard is a PostgreSQL advisory lock). Nothing was changed.
 */
export class RebuildInProgressError extends Error {
  constructor(readonly projection: string) {
    super(`A rebuild of projection ${projection} is already running`);
    this.name = 'RebuildInProgressError';
  }
}

/**
 * One rebuild per live table at a time: a session-level advisory lock held on a connection of its own
 * for the whole rebuild (released on completion, failure, or when that connection dies).
 */
const REBUILD_LOCK_SQL = {
  try: "SELECT pg_try_advisory_lock(hashtextextended('fireline.rebuild:' || $1, 0)) AS locked",
  release: "SELECT pg_advisory_unlock(hashtextextended('fireline.rebuild:' || $1, 0))",
} as const;

/** The subscription name of a projection. */
export function projectionSubscriptionName(projection: Projection): string {
  return `projection:${projection.name}`;
}

/** A `SubscriptionHandler` applying `projection` into its live table; name `'projection:' + projection.name`. */
export function projectionHandler(projection: Projection): SubscriptionHandler {
  return {
    name: projectionSubscriptionName(projection),
    ...(projection.eventTypes ? { eventTypes: projection.eventTypes } : {}),
    handle: (events, tx) => projection.apply(events, tx, projection.tableName),
  };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_IDENTIFIER_BYTES = 63;
const REBUILD_SUFFIX = '__rebuild';

/** `'a.b'` → `'"a"."b"'`; only plain identifiers are accepted (the names end up in DDL). */
function quoteQualified(parts: string[]): string {
  return parts.map((part) => `"${part}"`).join('.');
}

interface RebuildTableNames {
  /** Quoted, possibly schema-qualified live table. */
  live: string;
  /** Quoted, possibly schema-qualified shadow table. */
  shadow: string;
  /** Unquoted shadow name as handed to `apply`. */
  shadowForApply: string;
  /** Quoted bare live name, the target of `ALTER TABLE … RENAME TO`. */
  liveBare: string;
}

function rebuildTableNames(tableName: string): RebuildTableNames {
  const parts = tableName.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new RangeError(`Projection table ${JSON.stringify(tableName)} must be "table" or "schema.table" of plain identifiers`);
  }
  const bare = parts.at(-1) as string;
  const shadowParts = [...parts.slice(0, -1), `${bare}${REBUILD_SUFFIX}`];
  if (Buffer.byteLength(`${bare}${REBUILD_SUFFIX}`) > MAX_IDENTIFIER_BYTES) {
    throw new RangeError(`Projection table name ${tableName} is too long for its rebuild table`);
  }
  return {
    live: quoteQualified(parts),
    shadow: quoteQualified(shadowParts),
    shadowForApply: shadowParts.join('.'),
    liveBare: quoteQualified([bare]),
  };
}

/**
 * Rebuilds `projection` from position zero into `<table>__rebuild` and swaps it in:
 *
 * 1. `DROP TABLE IF EXISTS <table>__rebuild` (a crashed rebuild's leftover), `CREATE TABLE
 *    <table>__rebuild (LIKE <table> INCLUDING ALL)`.
 * 2. Fill it from `START_CHECKPOINT` up to the head at that moment, in pages of `batchSize`, one
 *    transaction each, without the lock (the live subscription keeps serving the live table meanwhile).
 * 3. One final transaction: `pg_advisory_xact_lock` on the live subscription's key (waits for its page
 *    in flight; the live subscription pauses until the commit) → apply the remaining events up to the
 *    head (bounded: transactions starting after this one stay invisible to it) → `DROP TABLE <table>`, rename the shadow
 *    to `<table>` → set the projection's checkpoint to the rebuild's last position → COMMIT.
 *
 * Readers see the old table until the commit, then the new one; never a half-built one. One rebuild
 * of a table runs at a time (an advisory lock taken with try-lock before step 1): a second one,
 * anywhere, fails at once with `RebuildInProgressError` instead of dropping the first one's shadow
 * table under it. Limits: LIKE
 * copies columns, defaults, constraints, indexes and identity, but not grants, triggers, foreign keys
 * pointing at the table, or `serial` sequences (whose owner is the dropped table: use identity
 * columns); views on the table block the DROP. Copied index names keep the `__rebuild` spelling.
 *
 * @returns `eventsApplied`: events handed to `apply` (of the projection's `eventTypes`).
 * @throws RangeError on an unsupported table name; `RebuildInProgressError` while another rebuild of
 *   the table runs; the database's or `apply`'s error (the live table is untouched then; the leftover
 *   shadow table is dropped by the next rebuild).
 */
export async function rebuildProjection(
  pool: Pool,
  projection: Projection,
  options: RebuildProjectionOptions = {},
): Promise<{ eventsApplied: number }> {
  const names = rebuildTableNames(projection.tableName);
  const lock = await pool.connect();
  let held = false;
  try {
    const { rows } = await lock.query<{ locked: boolean }>(REBUILD_LOCK_SQL.try, [projection.tableName]);
    if (!rows[0]?.locked) throw new RebuildInProgressError(projection.name);
    held = true;
    try {
      return await rebuildLocked(pool, projection, names, options);
    } finally {
      await lock.query(REBUILD_LOCK_SQL.release, [projection.tableName]);
      held = false;
    }
  } finally {
    // A connection whose unlock failed may still hold the lock: destroyed rather than pooled, which frees it.
    lock.release(held ? new Error('advisory unlock failed') : undefined);
  }
}

async function rebuildLocked(
  pool: Pool,
  projection: Projection,
  { live, shadow, shadowForApply, liveBare }: RebuildTableNames,
  options: RebuildProjectionOptions,
): Promise<{ eventsApplied: number }> {
  const batchSize = options.batchSize ?? 1000;
  const upcast = createUpcast(options.upcasters);
  const subscriptionName = projectionSubscriptionName(projection);

  await pool.query(`DROP TABLE IF EXISTS ${shadow}`);
  await pool.query(`CREATE TABLE ${shadow} (LIKE ${live} INCLUDING ALL)`);

  let cursor: Checkpoint = { ...START_CHECKPOINT };
  let eventsApplied = 0;
  /** Applies one page after `cursor` with `tx`; returns false when there was nothing left. */
  const applyPage = async (tx: PoolClient): Promise<boolean> => {
    const page = await scanGlobalPage(tx, cursor, batchSize, projection.eventTypes);
    if (page.last === null) return false;
    if (page.events.length > 0) await projection.apply(page.events.map(upcast), tx, shadowForApply);
    eventsApplied += page.events.length;
    cursor = page.last;
    return true;
  };

  // The unlocked fill stops at the head as of now, so that busy writers cannot keep it chasing.
  const target = await new EventStore(pool).headCheckpoint();
  while (compareCheckpoints(cursor, target) < 0 && (await inTransaction(pool, applyPage))) {
    // next page
  }
  await inTransaction(pool, async (tx) => {
    await tx.query(SUBSCRIPTION_LOCK_SQL.wait, [subscriptionName]);
    // Taking an xid now holds this transaction's snapshot xmin at or below it: transactions that start
    // later stay invisible to the global read, so the catch-up below ends even under constant writes.
    await tx.query('SELECT pg_current_xact_id()');
    while (await applyPage(tx)) {
      // until the head
    }
    await tx.query(`DROP TABLE ${live}`);
    await tx.query(`ALTER TABLE ${shadow} RENAME TO ${liveBare}`);
    await writeCheckpoint(tx, subscriptionName, cursor);
  });
  return { eventsApplied };
}

async function inTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    await rollbackAndRelease(client, error);
    throw error;
  }
}
