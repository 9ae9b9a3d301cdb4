import { resilientPgPoolOptions } from '@fireline/event-store';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';

/** A fresh, empty database on the run's embedded PostgreSQL, for one test file. */
export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.FIRELINE_TEST_DATABASE_URL;
  if (!url) throw new Error('FIRELINE_TEST_DATABASE_URL is not set: run through jest (global setup starts PostgreSQL)');
  return url;
}

/**
 * Creates a uniquely named database (`<prefix>_<random>`) and a pool on it. Isolation is by fresh
 * database per file and fresh ids per test; nothing is truncated.
 */
export async function createTestDatabase(prefix: string, poolSize = 10): Promise<TestDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: poolSize });
  let dropping = false;
  // pool.end() resolves before every socket has closed, and DROP … WITH (FORCE) then terminates the
  // stragglers (57P01). An idle client's error is emitted on the pool: without a listener it would
  // crash the test file. Errors while dropping are expected; others are reported, not swallowed.
  pool.on('error', (error) => {
    if (!dropping) process.stderr.write(`[test-database ${name}] idle client error: ${error.message}\n`);
  });
  return {
    name,
    url: url.toString(),
    pool,
    async drop() {
      dropping = true;
      await pool.end();
      const client = new Client({ connectionString: adminUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * A pool on `url` hardened as the services' pools are (`resilientPgPoolOptions`: an `'error'` listener on
 * every client, connect timeout, keepalive), plus a silent pool `'error'` listener: tests that kill its
 * connections (pg_terminate_backend, a cut `TcpSwitch`) see the failures in the queries, never a crash.
 */
export function servicePool(url: string, options: { max?: number; connectTimeoutMs?: number } = {}): Pool {
  const pool = new Pool({ connectionString: url, max: options.max ?? 4, ...resilientPgPoolOptions({ connectTimeoutMs: options.connectTimeoutMs ?? 1_000 }, () => undefined).extra });
  pool.on('error', () => undefined);
  return pool;
}
