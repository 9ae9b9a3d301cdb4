import { DataSource, type DataSourceOptions } from 'typeorm';

/** Migration classes as TypeORM's `migrations` option takes them. */
export type MigrationList = NonNullable<DataSourceOptions['migrations']>;

/**
 * Applies a service's TypeORM migrations to its database and closes the connection: what a Kubernetes
 * migration Job (or `docker compose run … migrate`) does before the Deployments start with
 * `DATABASE_MIGRATIONS_RUN=false`. Safe to repeat: TypeORM records applied migrations in `migrations` and
 * runs the rest in one transaction.
 * @param url `postgres://user:pass@host:5432/db`
 * @param migrations the service's migration classes, in order.
 * @returns the names of the migrations applied now (empty when the database was current).
 * @throws the driver's error when the database is unreachable or a migration fails (nothing is applied then).
 */
export async function runMigrations(url: string, migrations: MigrationList): Promise<string[]> {
  const dataSource = new DataSource({ type: 'postgres', url, migrations, migrationsTransactionMode: 'all' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The body of a service's `migrate.ts`: reads the database URL (`databaseUrl` may throw on bad
 * config), applies `migrations`, logs what it applied and sets the exit code (0 current, 1 failed).
 */
export async function migrateFromCommandLine(service: string, databaseUrl: () => string, migrations: MigrationList): Promise<void> {
  try {
    const applied = await runMigrations(databaseUrl(), migrations);
    console.log(`${service}: ${applied.length} migration(s) applied${applied.length ? `: ${applied.join(', ')}` : ''}`);
  } catch (error) {
    console.error(`${service}: migrations failed:`, error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
