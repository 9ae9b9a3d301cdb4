import type { Pool, PoolClient } from 'pg';
import { freePort } from '../../../test/support/service-process';
import { createTestDatabase, servicePool, type TestDatabase } from '../../../test/support/test-database';
import { consumeOnce, type ConsumeRetryPolicy } from './consume';
import { anIntegrationEvent } from './kafka/testing/integration-event.factories';
import type { ConsumerRegistration } from './message-transport';
import { CreateInboxAndDeadLetters1732000000100 } from './messaging.migration';

const POLICY: ConsumeRetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The database ends this transaction's connection, as `pg_terminate_backend` or a restart would. */
async function loseTheConnection(tx: PoolClient): Promise<never> {
  await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
  throw new Error('the backend survived pg_terminate_backend');
}

describe(consumeOnce.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let consumerNo = 0;

  beforeAll(async () => {
    db = await createTestDatabase('consume_once');
    const statements: string[] = [];
    await new CreateInboxAndDeadLetters1732000000100().up({ query: async (sql: string) => statements.push(sql) } as never);
    for (const sql of statements) await db.pool.query(sql);
    await db.pool.query('CREATE TABLE effects (consumer text NOT NULL, event_id uuid NOT NULL)');
    pool = servicePool(db.url);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  function registration(handle: ConsumerRegistration['handle'], on: Pool = pool): ConsumerRegistration {
    return { topic: 'fireline.incidents.v1', consumer: `consume-test-${++consumerNo}`, pool: on, handle };
  }

  async function rows(table: 'effects' | 'dead_letters', consumer: string): Promise<Record<string, unknown>[]> {
    return (await db.pool.query(`SELECT * FROM ${table} WHERE consumer = $1`, [consumer])).rows;
  }

  it('waits out a database that keeps dropping the connection, more often than the attempts allow, and processes the message once', async () => {
    let calls = 0;
    const consumer = registration(async (event, tx) => {
      calls += 1;
      if (calls <= POLICY.maxAttempts * 2) await loseTheConnection(tx);
      await tx.query('INSERT INTO effects (consumer, event_id) VALUES ($1, $2)', [consumer.consumer, event.eventId]);
    });
    const event = anIntegrationEvent();

    await expect(consumeOnce(consumer, event, POLICY)).resolves.toBe('processed');

    expect(calls).toBe(POLICY.maxAttempts * 2 + 1);
    expect(await rows('effects', consumer.consumer)).toEqual([{ consumer: consumer.consumer, event_id: event.eventId }]);
    expect(await rows('dead_letters', consumer.consumer)).toEqual([]);
  });

  it('counts only real failures as attempts, and dead-letters the message after them', async () => {
    let calls = 0;
    const consumer = registration(async (_, tx) => {
      calls += 1;
      if (calls % 2 === 1) await loseTheConnection(tx);
      throw new Error(`handler bug ${calls}`);
    });

    await expect(consumeOnce(consumer, anIntegrationEvent(), POLICY)).resolves.toBe('dead_lettered');

    expect(calls).toBe(POLICY.maxAttempts * 2);
    expect(await rows('dead_letters', consumer.consumer)).toEqual([
      expect.objectContaining({ attempts: POLICY.maxAttempts, error: `Error: handler bug ${POLICY.maxAttempts * 2}` }),
    ]);
  });

  it('keeps waiting while the database refuses connections, and gives up without acknowledging once the consumer stops', async () => {
    const nowhere = servicePool(`postgres://postgres:postgres@127.0.0.1:${await freePort()}/nothing`);
    let stopping = false;
    let handled = 0;
    try {
      const consuming = consumeOnce(registration(async () => void handled++, nowhere), anIntegrationEvent(), POLICY, { stopping: () => stopping });
      const settled = consuming.then(
        (outcome) => ({ outcome }),
        (error: unknown) => ({ error }),
      );
      // Far longer than the three attempts and their backoff would take.
      const early = await Promise.race([settled, sleep(1_000).then(() => 'still waiting' as const)]);
      expect(early).toBe('still waiting');

      stopping = true;
      const result = await settled;
      expect(result).toEqual({ error: expect.objectContaining({ code: 'ECONNREFUSED' }) });
      expect(handled).toBe(0);
    } finally {
      await nowhere.end();
    }
  });
});
