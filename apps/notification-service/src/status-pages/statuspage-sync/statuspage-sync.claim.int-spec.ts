import { runMigrations } from '@fireline/event-store';
import { randomUUID } from 'node:crypto';
import { executedPlan, inRolledBackTransaction } from '../../../../../test/support/query-plan';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { NOTIFICATION_SERVICE_MIGRATIONS } from '../../notification-service.module';
import { NEXT_SYNC_JOB_SQL } from './statuspage-sync.worker';

/** The Statuspage worker's claim (`NEXT_SYNC_JOB_SQL`) as PostgreSQL runs it, on jobs written directly. */
describe('Statuspage sync: claiming the next job', () => {
  jest.setTimeout(60_000);
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('statuspage_sync_claim');
    await runMigrations(db.url, NOTIFICATION_SERVICE_MIGRATIONS);
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** `count` jobs over `pages` pages (job n on page n % pages), in `status`, due a second ago. */
  const insertJobs = (count: number, pages: string[], status: 'done' | 'pending') =>
    db.pool.query(
      `INSERT INTO statuspage_sync_jobs (page_id, event_id, event_type, event, status, next_attempt_at)
       SELECT ($1::uuid[])[1 + n % array_length($1::uuid[], 1)], gen_random_uuid(), 'StatusPageIncidentPublished', '{}', $2, now() - interval '1 second'
       FROM generate_series(1, ${count}) n`,
      [pages, status],
    );

  it('reads a few index entries per job looked at, even when the statistics were taken before the backlog piled up', async () => {
    const pages = Array.from({ length: 30 }, () => randomUUID());
    await insertJobs(5_000, pages, 'done');
    await db.pool.query('ANALYZE statuspage_sync_jobs');
    // Statuspage away for a while: the first job of each page retries later, the ones behind it are due and wait.
    const backlog = 3_000;
    await insertJobs(backlog, pages, 'pending');
    await db.pool.query(
      `UPDATE statuspage_sync_jobs SET next_attempt_at = now() + interval '1 hour'
        WHERE seq IN (SELECT min(seq) FROM statuspage_sync_jobs WHERE status = 'pending' GROUP BY page_id)`,
    );

    const plan = await executedPlan(db.pool, NEXT_SYNC_JOB_SQL);
    // Every due job waits behind its page's first: nothing to run.
    expect(plan.rows).toBe(0);
    expect(plan.buffers).toBeLessThan(20 * backlog);
  });

  it("hands out a page's jobs one at a time in order, and other pages' alongside", async () => {
    const [page, other] = [randomUUID(), randomUUID()];
    const insert = async (pageId: string) =>
      (
        await db.pool.query<{ seq: string }>(
          `INSERT INTO statuspage_sync_jobs (page_id, event_id, event_type, event, status, next_attempt_at)
           VALUES ($1, gen_random_uuid(), 'StatusPageIncidentPublished', '{}', 'pending', now() - interval '1 day') RETURNING seq`,
          [pageId],
        )
      ).rows[0].seq;
    const [first, second] = [await insert(page), await insert(page)];
    const otherFirst = await insert(other);

    await inRolledBackTransaction(db.pool, async (client) => {
      const next = async () => (await client.query<{ seq: string; page_id: string }>(NEXT_SYNC_JOB_SQL)).rows[0]?.seq;
      const done = (seq: string) => client.query(`UPDATE statuspage_sync_jobs SET status = 'done' WHERE seq = $1`, [seq]);
      expect(await next()).toBe(first);
      await done(first);
      expect(await next()).toBe(second);
      await done(second);
      expect(await next()).toBe(otherFirst);
    });
  });
});
