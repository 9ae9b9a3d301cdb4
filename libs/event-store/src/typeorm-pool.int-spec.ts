import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { eventually } from '../../../test/support/eventually';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { isDatabaseUnavailable } from './database-availability';
import { pgPoolOf, resilientPgPoolOptions } from './typeorm-pool';

/** A TCP server that accepts connections and never says a word: a database host that hangs. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/silent`,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

describe(resilientPgPoolOptions.name, () => {
  let db: TestDatabase;
  const opened: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('pool_hardening');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((dataSource) => dataSource.destroy()));
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** A data source on the test database with the options, and what it reported. */
  async function open(): Promise<{ dataSource: DataSource; reported: Error[] }> {
    const reported: Error[] = [];
    const dataSource = new DataSource({ type: 'postgres', url: db.url, poolSize: 4, ...resilientPgPoolOptions({}, (error) => reported.push(error)) });
    await dataSource.initialize();
    opened.push(dataSource);
    return { dataSource, reported };
  }

  /** Ends the backend behind `client` from another connection, as an operator or a failover would. */
  async function terminateBackendOf(client: PoolClient): Promise<void> {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const { rows: done } = await db.pool.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [rows[0].pid]);
    expect(done[0].ok).toBe(true);
  }

  it('reports, instead of crashing on, the error of a checked-out client whose backend is terminated between two queries', async () => {
    const { dataSource, reported } = await open();
    const pool = pgPoolOf(dataSource);
    const client = await pool.connect();
    await client.query('BEGIN');
    await terminateBackendOf(client);

    await eventually(() => expect(reported).toHaveLength(1));
    expect(isDatabaseUnavailable(reported[0])).toBe(true);
    const next = await client.query('SELECT 1').catch((e: unknown) => e);
    expect(isDatabaseUnavailable(next)).toBe(true);
    client.release();

    // The broken client was discarded: the pool serves new connections at once.
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('keeps a TypeORM query runner whose connection dies from crashing the process, and the data source usable', async () => {
    const { dataSource } = await open();
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const { rows } = await db.pool.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction' AND pid <> pg_backend_pid()",
      [db.name],
    );
    expect(rows).toHaveLength(1);
    await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);

    // Depending on which arrives first, the query fails on the dead socket or TypeORM has already
    // released the runner on the connection's error event: unavailability either way.
    const failed = await runner.query('SELECT 1').catch((e: unknown) => e);
    expect(isDatabaseUnavailable(failed)).toBe(true);
    await runner.release();
    // A client whose FATAL arrived before its socket closed may serve one more failing query.
    await eventually(async () => expect(await dataSource.query('SELECT 2 AS two')).toEqual([{ two: 2 }]));
  });

  it('reports idle clients killed by the server once, not once per connection, and replaces them on the next query', async () => {
    const { dataSource, reported } = await open();
    const pool = pgPoolOf(dataSource);
    await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')));
    expect(pool.idleCount).toBeGreaterThan(1);
    const idle = pool.idleCount;
    const { rowCount } = await db.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND state = 'idle' AND pid <> pg_backend_pid()",
      [db.name],
    );
    expect(rowCount).toBeGreaterThanOrEqual(idle);
    await eventually(() => expect(pool.idleCount).toBe(0));

    expect(reported).toHaveLength(1);
    expect(isDatabaseUnavailable(reported[0])).toBe(true);
    expect((await pool.query<{ three: number }>('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
  });

  it('fails a connection to a server that never answers after connectTimeoutMs instead of waiting forever', async () => {
    const silent = await silentServer();
    const hanging = new DataSource({ type: 'postgres', url: silent.url, ...resilientPgPoolOptions({ connectTimeoutMs: 300 }, () => undefined) });
    try {
      const startedAt = Date.now();
      const error = await hanging.initialize().then(
        () => null,
        (e: unknown) => e,
      );
      const waited = Date.now() - startedAt;
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });

  it('applies statementTimeoutMs on the server to every connection', async () => {
    const short = new DataSource({ type: 'postgres', url: db.url, poolSize: 1, ...resilientPgPoolOptions({ statementTimeoutMs: 100 }, () => undefined) });
    await short.initialize();
    try {
      const error = await short.query('SELECT pg_sleep(2)').catch((e: unknown) => e as { code?: string });
      expect(error).toMatchObject({ code: '57014' });
      expect(isDatabaseUnavailable(error)).toBe(false);
      expect(await short.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '100ms' }]);
    } finally {
      await short.destroy();
    }
  });
});
