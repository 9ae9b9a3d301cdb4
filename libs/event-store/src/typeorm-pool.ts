import type { ClientBase, Pool, PoolConfig } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * The `pg` pool behind a TypeORM PostgreSQL data source, so that the event store, subscriptions and
 * inbox share the service's one pool (and its size limit) with its TypeORM repositories.
 * @throws Error when the data source is not a PostgreSQL one or is not initialised.
 */
export function pgPoolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as PostgresDriver).master as Pool | undefined;
  if (!pool) throw new Error(`Data source ${String(dataSource.name)} has no PostgreSQL pool (not initialised?)`);
  return pool;
}

/** Timeouts of a service's connections to its database, milliseconds. */
export interface PgPoolTimeouts {
  /**
   * Longest wait for a connection: to open a new one, and for a free one when all are busy
   * (`connectionTimeoutMillis`; pg's own default waits forever, so a request would hang while the
   * database is away). Default 5000.
   */
  connectTimeoutMs: number;
  /** `statement_timeout` of every connection, enforced by the server; 0 = none. Default 60000. */
  statementTimeoutMs: number;
}

export const DEFAULT_PG_POOL_TIMEOUTS: Readonly<PgPoolTimeouts> = Object.freeze({ connectTimeoutMs: 5_000, statementTimeoutMs: 60_000 });

/** TCP keepalive probes start after a connection has been idle this long (ms): a vanished server is noticed. */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;
/** A dying server breaks every connection at once: `report` hears of one per this many ms at most. */
const REPORT_INTERVAL_MS = 5_000;

/**
 * The TypeORM options (spread them into `TypeOrmModule.forRoot`) that let a service's pool outlive its
 * database: every pool and every connection handles its errors, so a killed server or a
 * `pg_terminate_backend` fails the queries in flight (which callers map to 503 or retry) instead of
 * crashing the process, and the pool opens new connections once the server is back.
 *
 * - `extra.onConnect`: an `'error'` listener on every client as it connects. pg-pool listens to a
 *   client's errors only while it is idle; a checked-out client (a subscription's page transaction, the
 *   inbox, the delivery queue, a TypeORM query runner) whose connection dies between two queries would
 *   otherwise emit `'error'` with no listener, which kills the process. The broken client is then not
 *   queryable; its holder's next query fails and its release discards it.
 * - `poolErrorHandler`: an idle client's error (pg-pool has already discarded the client).
 * - `connectTimeoutMS` and `statement_timeout` from `timeouts`; TCP keepalive on every connection.
 *
 * @param report told about connection errors, at most one per 5 s (a dying server breaks every
 *   connection at once; one line is plenty, the pool recovers by itself).
 */
export function resilientPgPoolOptions(
  timeouts: Partial<PgPoolTimeouts> = {},
  report: (error: Error) => void = (error) => console.warn(`PostgreSQL connection error: ${error.message}`),
): Pick<PostgresConnectionOptions, 'connectTimeoutMS' | 'poolErrorHandler' | 'extra'> {
  const { connectTimeoutMs, statementTimeoutMs } = { ...DEFAULT_PG_POOL_TIMEOUTS, ...timeouts };
  let reportedAt = -Infinity;
  const reportSome = (error: Error) => {
    if (Date.now() - reportedAt < REPORT_INTERVAL_MS) return;
    reportedAt = Date.now();
    report(error);
  };
  const extra: PoolConfig = {
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    onConnect: (client: ClientBase) => {
      client.on('error', reportSome);
    },
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  };
  return {
    connectTimeoutMS: connectTimeoutMs,
    poolErrorHandler: (error: unknown) => reportSome(error instanceof Error ? error : new Error(String(error))),
    extra,
  };
}
