import { runMigrations } from '@fireline/event-store';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { executedPlan, inRolledBackTransaction } from '../../../../../test/support/query-plan';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { INCIDENT_SERVICE_MIGRATIONS } from '../../incident-service.module';
import { ABSORB_SQL } from '../dedup/alert-dedup.repository';
import { CLAIM_DUE_SQL, INSERT_ACCEPTED_SQL, LEASE_SQL, MARK_FAILED_SQL, MARK_PROCESSED_SQL } from './alert-intake.repository';

/**
 * The ledger's queue statements as PostgreSQL runs them, on rows written directly: which rows the
 * worker's claim (`CLAIM_DUE_SQL`) takes, and how much the claim and the statements on one row read
 * over a storm's backlog when the planner's statistics were taken before the storm. Each statement
 * runs in a transaction that is rolled back, so each test sees the rows as written.
 */
describe('alert intake ledger: the queue over a backlog', () => {
  jest.setTimeout(60_000);
  let db: TestDatabase;
  /** The storm's integration and backlog (see `beforeAll`). */
  let storm: { integrationId: string; backlog: number };

  beforeAll(async () => {
    db = await createTestDatabase('alert_intake_claim');
    await runMigrations(db.url, INCIDENT_SERVICE_MIGRATIONS);
    const integrationId = await anIntegration();
    // A ledger of processed deliveries, an earlier storm's among them, vacuumed and analysed while
    // nothing is queued: what the planner knows when a storm starts after a quiet hour (autovacuum last
    // saw the queue empty, and on a large ledger the storm's backlog never reaches the 10% of rows that
    // would trigger a new ANALYZE).
    await insertRows(integrationId, 20_000, `'old-' || n`, { processed: false, from: '2026-12-01T00:00:00Z' });
    await db.pool.query('UPDATE alert_intake SET processed_at = now(), next_attempt_at = NULL, attempts = 1');
    await db.pool.query('VACUUM (ANALYZE) alert_intake');
    // The storm: 3,000 queued, half of them new keys and half repeats of an earlier key.
    const backlog = 3_000;
    await insertRows(integrationId, backlog, `'storm-' || CASE WHEN n % 2 = 0 THEN n ELSE n / 3 END`, {
      processed: false,
      from: '2026-12-01T01:00:00Z',
    });
    storm = { integrationId, backlog };
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

  it('claims by reading a few index entries per row looked at, however long the backlog, with statistics taken before it was queued', async () => {
    const plan = await executedPlan(db.pool, CLAIM_DUE_SQL, [20, 60_000]);

    expect(plan.rows).toBe(20);
    // The oldest due rows are looked at in order until 20 are first of their key: here ~40 rows, a
    // probe of a handful of buffers each, however long the backlog (~430 buffers). The anti join before
    // read every queued row for every queued row (42 million buffers for a backlog of 8,000, 22 s); the
    // plan after it still read the whole backlog through the queued-key index and sorted it, every
    // claim (10,800 buffers here; 79,000 and 64 ms per claim over the enqueue bench's 16,000 queued;
    // `KeepAlertIntakeLookupsOffQueueIndexes1732000003900`).
    expect(plan.buffers).toBeLessThan(1_000);
  });

  it('changes one row of the backlog through its primary key, with statistics taken before the backlog was queued', async () => {
    const { rows } = await db.pool.query<{ id: string; dedup_key: string }>(
      `SELECT id, dedup_key FROM alert_intake WHERE integration_id = $1 AND processed_at IS NULL ORDER BY received_at OFFSET $2 LIMIT 1`,
      [storm.integrationId, storm.backlog / 2],
    );
    const { id, dedup_key: dedupKey } = rows[0];
    const byId: Array<[string, string, unknown[]]> = [
      ['markProcessed', MARK_PROCESSED_SQL, [id, 'accepted', 'triggered', null]],
      ['markFailed', MARK_FAILED_SQL, [id, 'boom', 1_000, true]],
      ['lease', LEASE_SQL, [id, 30_000]],
      ['absorbing a trigger', ABSORB_SQL, [`alert-${randomUUID()}`, id, 4, randomUUID()]],
    ];
    const queueIndexes = ['alert_intake_pending_idx', 'alert_intake_queued_key_order_idx'];
    for (const [name, sql, values] of byId) {
      const plan = await executedPlan(db.pool, sql, values);
      // A primary-key probe and the row's new version. Planned through a queue index the planner
      // believed empty, each read that index (in the enqueue bench's storm: the whole pending index,
      // 3,700 buffers and ~16 ms per processed delivery).
      expect({ name, queueIndexes: plan.indexes.filter((index) => queueIndexes.includes(index)) }).toEqual({ name, queueIndexes: [] });
      expect({ name, fewBuffers: plan.buffers < 100 }).toEqual({ name, fewBuffers: true });
    }

    // A new delivery of a key with deliveries queued, as the intake records it (one row of a batch):
    // its "waiting?" probes name the key (one read the whole pending index in the bench's storm).
    const row = {
      id: randomUUID(),
      integration_id: storm.integrationId,
      received_at: new Date(),
      headers: '{}',
      raw_body: 'sealed',
      event_action: 'trigger',
      dedup_key: dedupKey,
      lease_ms: 30_000,
      display_body: null,
      sanitized_fields: '[]',
      absorb_stream_id: `alert-${randomUUID()}`,
      severity_rank: 4,
      keep_order: true,
      after_same_key: false,
      after_same_key_non_trigger: false,
    };
    const insert = await executedPlan(
      db.pool,
      INSERT_ACCEPTED_SQL,
      Object.values(row).map((value) => [value]),
    );
    expect(insert.rows).toBe(1);
    expect(insert.indexes).not.toContain('alert_intake_pending_idx');
    expect(insert.buffers).toBeLessThan(100);
  });

  it('takes only the first queued row of each dedup key, in the order due, and never holds back a row without a key', async () => {
    const integrationId = await anIntegration();
    // Received before the storm's backlog of `beforeAll`: the oldest due rows, so each claim of 20 reaches them.
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
