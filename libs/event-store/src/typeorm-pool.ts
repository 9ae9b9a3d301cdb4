import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
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
