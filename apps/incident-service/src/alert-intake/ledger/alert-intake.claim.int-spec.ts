import { runMigrations } from '@fireline/event-store';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { executedPlan, inRolledBackTransaction } from '../../../../../test/support/query-plan';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { INCIDENT_SERVICE_MIGRATIONS } from '../../incident-service.module';
import { CLAIM_DUE_SQL } from './alert-intake.repository';

/**
 * The worker's claim (`CLAIM_DUE_SQL`) as PostgreSQL runs it, on rows written directly: which rows it
 * takes, and how much it reads for them over a storm's backlog when the planner's statistics were
 * taken before the storm. Run through a client in a transaction that is rolled back, so each test sees
 * the rows as written.
 */
describe('alert intake ledger: claiming due deliveries', () => {
  jest.setTimeout(60_000);
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('alert_intake_claim');
    await runMigrations(db.url, INCIDENT_SERVICE_MIGRATIONS);
  });

  afterAll(async () => {
    await db.drop();
  });

  async function anIntegration(): Promise<string> {
    const id = randomUUID();
    await db.pool.query(
      `INSERT INTO integrations (id, type, name, service, severity_mapping, credential_hash, created_at) VALUES ($1, 'events-v2', 'prometheus', 'checkout', '{}', $2, now())`,
      [id, randomUUID()],
    );
    return id;
  }

  /** `count` rows of `integrationId`; the n-th (from 1) has dedup key `keyOf(n)`, was received n ms after `from` and is due then. */
  async function insertRows(
    integrationId: string,
    count: number,
    keyOf: string,
    options: { processed: boolean; from: string },
  ): Promise<void> {
    await db.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, event_action, dedup_key, verdict, processed_at, attempts, next_attempt_at)
       SELECT gen_random_uuid(), $1, $2::timestamptz + n * interval '1 ms', '{}', 'sealed', 'trigger', ${keyOf}, 'accepted',
              CASE WHEN $3 THEN now() END, CASE WHEN $3 THEN 1 ELSE 0 END, CASE WHEN $3 THEN NULL ELSE $2::timestamptz + n * interval '1 ms' END
       FROM generate_series(1, ${count}) n`,
      [integrationId, options.from, options.processed],
    );
  }

  it('reads a few index entries per row over a backlog, even when the statistics were taken before it was queued', async () => {
    const integrationId = await anIntegration();
    // A ledger of processed deliveries, analysed while nothing is queued: what the planner knows when a
    // storm starts after a quiet hour (on a large ledger, the storm's backlog never reaches the 10% of
    // rows that would trigger a new ANALYZE).
    await insertRows(integrationId, 5_000, `'old-' || n`, { processed: true, from: '2026-12-01T00:00:00Z' });
    await db.pool.query('ANALYZE alert_intake');
    // The storm: 3,000 queued, half of them new keys and half repeats of an earlier key.
    const backlog = 3_000;
    await insertRows(integrationId, backlog, `'storm-' || CASE WHEN n % 2 = 0 THEN n ELSE n / 3 END`, {
      processed: false,
      from: '2026-12-01T01:00:00Z',
    });

    const plan = await executedPlan(db.pool, CLAIM_DUE_SQL, [20, 60_000]);

    expect(plan.rows).toBe(20);
    // A probe per queued row looked at is a handful of buffers each; the anti join this replaced read
    // every queued row for every queued row (42 million buffers for a backlog of 8,000, 22 s).
    expect(plan.buffers).toBeLessThan(20 * backlog);
  });

  it('takes only the first queued row of each dedup key, in the order due, and never holds back a row without a key', async () => {
    const integrationId = await anIntegration();
    const rows = [
      { key: 'disk-full', at: '2026-11-30T00:00:01Z' },
      { key: 'disk-full', at: '2026-11-30T00:00:02Z' },
      { key: 'cpu-high', at: '2026-11-30T00:00:03Z' },
      { key: null, at: '2026-11-30T00:00:04Z' },
      { key: null, at: '2026-11-30T00:00:05Z' },
      { key: 'disk-full', at: '2026-11-30T00:00:06Z' },
    ];
    const ids: string[] = rows.map(() => randomUUID());
    for (const [index, row] of rows.entries()) {
      await db.pool.query(
        `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, event_action, dedup_key, verdict, attempts, next_attempt_at)
         VALUES ($1, $2, $3, '{}', 'sealed', 'trigger', $4, 'accepted', 0, $3)`,
        [ids[index], integrationId, row.at, row.key],
      );
    }
    const claim = async (client: PoolClient): Promise<string[]> =>
      (await client.query<{ id: string }>(CLAIM_DUE_SQL, [20, 60_000])).rows
        .filter((row) => ids.includes(row.id))
        .map((row) => row.id)
        .sort((a, b) => ids.indexOf(a) - ids.indexOf(b));

    await inRolledBackTransaction(db.pool, async (client) => {
      expect(await claim(client)).toEqual([ids[0], ids[2], ids[3], ids[4]]);
      // Leased now: nothing of these is due, and the second disk-full row still waits for the first.
      expect(await claim(client)).toEqual([]);
      await client.query('UPDATE alert_intake SET processed_at = now() WHERE id = $1', [ids[0]]);
      expect(await claim(client)).toEqual([ids[1]]);
      await client.query('UPDATE alert_intake SET processed_at = now() WHERE id = $1', [ids[1]]);
      expect(await claim(client)).toEqual([ids[5]]);
    });
  });
});
