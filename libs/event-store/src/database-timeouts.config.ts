import { integerKey } from '@fireline/config';
import { DEFAULT_PG_POOL_TIMEOUTS, type PgPoolTimeouts } from './typeorm-pool';

/**
 * The environment keys of `PgPoolTimeouts`, the same for every service (spread them into its schema):
 * `DATABASE_CONNECT_TIMEOUT_MS` (5000; 100–600000) and `DATABASE_STATEMENT_TIMEOUT_MS` (60000; 0 = none).
 */
export const databaseTimeoutKeys = () => ({
  DATABASE_CONNECT_TIMEOUT_MS: integerKey(100, 600_000, DEFAULT_PG_POOL_TIMEOUTS.connectTimeoutMs),
  DATABASE_STATEMENT_TIMEOUT_MS: integerKey(0, 86_400_000, DEFAULT_PG_POOL_TIMEOUTS.statementTimeoutMs),
});

/** The parsed keys of `databaseTimeoutKeys` as `PgPoolTimeouts`. */
export function databaseTimeoutsOf(env: { DATABASE_CONNECT_TIMEOUT_MS: number; DATABASE_STATEMENT_TIMEOUT_MS: number }): PgPoolTimeouts {
  return { connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS };
}
