import { randomUUID } from 'node:crypto';
import { runMigrations } from '@fireline/event-store';
import { executedPlan } from '../../../../../test/support/query-plan';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { CreateNotificationTables1732000001000 } from '../../migrations/create-notification-tables.migration';
import { NOTIFICATION_SERVICE_MIGRATIONS } from '../../notification-service.module';
import {
  CLAIM_DUE_SQL,
  DeliveryQueue,
  insertDeliveries,
  insertSubscriberDeliveries,
  type ClaimedDelivery,
  type NewDelivery,
  type NewSubscriberDelivery,
} from './delivery-queue';
import { SecretBox } from '@fireline/secrets';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { NotificationSecretBox } from '../secrets/notification-secret-box';

const secrets = new NotificationSecretBox(new SecretBox(TEST_ENCRYPTION_KEYS));

const LEASE_MS = 60_000;

describe(DeliveryQueue.name, () => {
  let db: TestDatabase;
  let queue: DeliveryQueue;

  beforeAll(async () => {
    db = await createTestDatabase('delivery_queue');
    await runMigrations(db.url, NOTIFICATION_SERVICE_MIGRATIONS);
    queue = new DeliveryQueue(db.pool, secrets);
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function aRule(url: string): Promise<string> {
    const id = randomUUID();
    await db.pool.query(
      `INSERT INTO notification_rules (id, name, enabled, channel_type, target_url, webhook_secret) VALUES ($1, 'queue spec', true, 'webhook', $2, 'whsec_queue_spec_secret')`,
      [id, url],
    );
    return id;
  }

  /** Queues deliveries to `urls` (one each) for a fresh rule per URL; returns their ids in order. */
  async function queued(...urls: string[]): Promise<string[]> {
    const deliveries: NewDelivery[] = [];
    for (const url of urls) {
      const id = randomUUID();
      deliveries.push({
        id,
        ruleId: await aRule(url),
        eventId: randomUUID(),
        eventType: 'IncidentDeclared',
        incidentId: randomUUID(),
        channelType: 'webhook',
        targetUrl: url,
        payload: '{}',
      });
    }
    const client = await db.pool.connect();
    try {
      await insertDeliveries(client, deliveries, secrets);
    } finally {
      client.release();
    }
    return deliveries.map((d) => d.id);
  }

  /** Claims until `id` is among the claimed (other specs' rows may be due too) and returns it. */
  async function claim(id: string): Promise<ClaimedDelivery> {
    const claimed = await queue.claimDue(1_000, LEASE_MS);
    const mine = claimed.find((d) => d.id === id);
    if (!mine) throw new Error(`delivery ${id} was not due`);
    return mine;
  }

  const row = async (id: string) =>
    (
      await db.pool.query<{
        status: string;
        attempt_count: number;
        last_error: string | null;
        due_in_ms: number;
        round_started: boolean;
        target_origin: string;
      }>(
        `SELECT status, attempt_count, last_error, target_origin, round_started_at IS NOT NULL AS round_started,
                (extract(epoch FROM next_attempt_at - now()) * 1000)::float8 AS due_in_ms
           FROM deliveries WHERE id = $1`,
        [id],
      )
    ).rows[0];

  async function inTransaction(work: (client: import('pg').PoolClient) => Promise<unknown>): Promise<void> {
    const client = await db.pool.connect();
    try {
      await work(client);
    } finally {
      client.release();
    }
  }

  const delivered = (claimed: ClaimedDelivery) =>
    queue.recordAttempt(
      claimed,
      { startedAt: new Date(), durationMs: 1, outcome: { kind: 'response', httpStatus: 204, retryAfterMs: null }, responseExcerpt: null },
      { status: 'delivered' },
    );
  /** Ids of this spec's deliveries, so that claims can ignore other specs' due rows. */
  const mine = new Set<string>();
  const claimedIds = async () => (await queue.claimDue(1_000, LEASE_MS)).filter((d) => mine.has(d.id));

  it('hands out one delivery at a time per rule and incident, and per subscriber, oldest first, so each sees them in order', async () => {
    const url = `https://ordered-${randomUUID()}.example/hook`;
    const ruleId = await aRule(url);
    const [incident, otherIncident] = [randomUUID(), randomUUID()];
    const ofRule = (incidentId: string): NewDelivery => ({
      id: randomUUID(),
      ruleId,
      eventId: randomUUID(),
      eventType: 'IncidentUpdated',
      incidentId,
      channelType: 'webhook',
      targetUrl: url,
      payload: '{}',
    });
    const [declared, resolved, closed, elsewhere] = [ofRule(incident), ofRule(incident), ofRule(incident), ofRule(otherIncident)];
    const subscriberId = randomUUID();
    await db.pool.query(
      `INSERT INTO status_page_subscribers (id, page_id, channel_type, email, email_key, status, unsubscribe_token) VALUES ($1, $2, 'email', 'reader@example.com', 'key', 'active', 'token')`,
      [subscriberId, randomUUID()],
    );
    const ofSubscriber = (): NewSubscriberDelivery => ({
      id: randomUUID(),
      subscriberId,
      statusPageId: randomUUID(),
      eventId: randomUUID(),
      eventType: 'StatusPageIncidentPublished',
      incidentId: null,
      channelType: 'email',
      target: 'reader@example.com',
      targetOrigin: 'mailto:',
      payload: '{}',
    });
    const [created, update] = [ofSubscriber(), ofSubscriber()];
    await inTransaction(async (client) => {
      await insertDeliveries(client, [declared, resolved, closed, elsewhere], secrets);
      await insertSubscriberDeliveries(client, [created, update], secrets);
    });
    for (const d of [declared, resolved, closed, elsewhere, created, update]) mine.add(d.id);

    const first = await claimedIds();
    expect(first.map((d) => d.id).sort()).toEqual([declared.id, elsewhere.id, created.id].sort());
    // Put back (or retrying): the next one still waits behind it.
    const firstOfIncident = first.find((d) => d.id === declared.id)!;
    await queue.releaseUnsent(firstOfIncident, { status: 'queued', delayMs: 0, lastError: 'not sent' });
    const again = await claimedIds();
    expect(again.map((d) => d.id)).toEqual([declared.id]);

    await delivered(again[0]!);
    await delivered(first.find((d) => d.id === created.id)!);
    const next = await claimedIds();
    expect(next.map((d) => d.id).sort()).toEqual([resolved.id, update.id].sort());
    // A dead-lettered delivery no longer holds the ones after it.
    await queue.releaseUnsent(
      next.find((d) => d.id === resolved.id)!,
      { status: 'dead_lettered', lastError: 'gave up' },
    );
    expect((await claimedIds()).map((d) => d.id)).toEqual([closed.id]);
  });

  it('stores the target’s origin and starts the retry window at the first claim', async () => {
    const [id] = await queued('https://Hooks.Example.com:443/path/a?x=1');
    expect(await row(id)).toMatchObject({ target_origin: 'https://hooks.example.com', round_started: false });
    const claimed = await claim(id);
    expect(claimed).toMatchObject({ targetOrigin: 'https://hooks.example.com', attemptNo: 1, attemptInRound: 1, elapsedInRoundMs: 0 });
    expect(await row(id)).toMatchObject({ status: 'sending', round_started: true });
  });

  it('puts a delivery that was not sent back without counting the claim as an attempt', async () => {
    const [id] = await queued(`https://unsent-${randomUUID()}.example/hook`);
    const claimed = await claim(id);

    expect(await queue.releaseUnsent(claimed, { status: 'queued', delayMs: 30_000, lastError: 'not sent: circuit open' })).toBe(true);
    const after = await row(id);
    expect(after).toMatchObject({ status: 'pending', attempt_count: 0, last_error: 'not sent: circuit open' });
    expect(after.due_in_ms).toBeGreaterThan(25_000);
    // A second release of the same claim changes nothing: the worker no longer holds it.
    expect(await queue.releaseUnsent(claimed, { status: 'dead_lettered', lastError: 'late' })).toBe(false);
    expect((await row(id)).status).toBe('pending');
  });

  it('dead-letters an unsent delivery without counting an attempt when told to', async () => {
    const [id] = await queued(`https://expired-${randomUUID()}.example/hook`);
    const claimed = await claim(id);
    await queue.releaseUnsent(claimed, { status: 'dead_lettered', lastError: 'not sent: circuit open (gave up)' });
    expect(await row(id)).toMatchObject({ status: 'dead_lettered', attempt_count: 0, last_error: 'not sent: circuit open (gave up)' });
  });

  it('postpones only the target’s queued deliveries due before the probe, and starts their retry window', async () => {
    const host = `https://dead-${randomUUID()}.example`;
    const [first, second, sending, otherPath] = await queued(`${host}/a`, `${host}/b`, `${host}/c`, `${host}:443/other`);
    const [elsewhere] = await queued(`https://alive-${randomUUID()}.example/hook`);
    await db.pool.query(`UPDATE deliveries SET status = 'sending', lease_expires_at = now() + interval '1 minute' WHERE id = $1`, [
      sending,
    ]);
    await db.pool.query(`UPDATE deliveries SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`, [second]);

    expect(await queue.postponeTarget(host, 30_000, 'not sent: circuit to X open')).toBe(2);

    for (const id of [first, otherPath]) {
      const postponed = await row(id);
      expect(postponed).toMatchObject({ status: 'pending', last_error: 'not sent: circuit to X open', round_started: true });
      expect(postponed.due_in_ms).toBeGreaterThan(25_000);
      expect(postponed.due_in_ms).toBeLessThanOrEqual(30_000);
    }
    expect((await row(second)).due_in_ms).toBeGreaterThan(3_000_000); // already due later: untouched
    expect(await row(sending)).toMatchObject({ status: 'sending', last_error: null });
    expect(await row(elsewhere)).toMatchObject({ last_error: null, round_started: false });
  });
});

describe(`${DeliveryQueue.name}: the claim over a backlog`, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('delivery_queue_backlog');
    await runMigrations(db.url, NOTIFICATION_SERVICE_MIGRATIONS);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('reads a few index entries per delivery looked at, even when the statistics were taken before the backlog was queued', async () => {
    const ruleId = randomUUID();
    await db.pool.query(
      `INSERT INTO notification_rules (id, name, enabled, channel_type, target_url, webhook_secret) VALUES ($1, 'storm', true, 'webhook', 'https://hooks.example/storm', 'whsec_queue_spec_secret')`,
      [ruleId],
    );
    /** `count` deliveries of the rule; the n-th (from 1) is for incident `incidentOf(n)`. */
    const insert = (count: number, incidentOf: string, status: 'delivered' | 'pending') =>
      db.pool.query(
        `INSERT INTO deliveries (id, rule_id, event_id, event_type, incident_id, channel_type, target_url, target_origin, payload, status, next_attempt_at)
         SELECT gen_random_uuid(), $1, gen_random_uuid(), 'IncidentDeclared', ${incidentOf}, 'webhook', 'sealed', 'https://hooks.example', '{}', $2,
                now() - interval '1 hour' + n * interval '1 ms'
         FROM generate_series(1, ${count}) n`,
        [ruleId, status],
      );
    // A delivery log analysed while nothing is queued; then an alert storm's notifications, one or two per incident.
    await insert(5_000, `'old-' || n`, 'delivered');
    await db.pool.query('ANALYZE deliveries');
    const backlog = 3_000;
    await insert(backlog, `'storm-' || (n / 2)`, 'pending');

    const plan = await executedPlan(db.pool, CLAIM_DUE_SQL, [20, LEASE_MS]);
    expect(plan.rows).toBe(20);
    // The oldest due deliveries are looked at in order until 20 can go (~40 here), a probe of a handful
    // of buffers each, however long the backlog (~730 buffers). An anti join over every unfinished
    // delivery for each is quadratic in the backlog; reading the whole backlog to sort it, linear.
    expect(plan.buffers).toBeLessThan(2_000);
  });
});

describe(`${CreateNotificationTables1732000001000.name} then AddDeliveryRoundStartAndTargetOrigin`, () => {
  it('backfills the target origin of deliveries queued before the migration', async () => {
    const db = await createTestDatabase('delivery_origin_backfill');
    try {
      const before = NOTIFICATION_SERVICE_MIGRATIONS.slice(
        0,
        NOTIFICATION_SERVICE_MIGRATIONS.indexOf(CreateNotificationTables1732000001000) + 1,
      );
      await runMigrations(db.url, before);
      const rule = randomUUID();
      await db.pool.query(
        `INSERT INTO notification_rules (id, name, enabled, channel_type, target_url, webhook_secret) VALUES ($1, 'old', true, 'webhook', 'https://a.example/x', 'whsec_old_rule_secret')`,
        [rule],
      );
      for (const url of ['https://A.example:443/x', 'http://b.example:8080/y', 'https://A.example/z']) {
        await db.pool.query(
          `INSERT INTO deliveries (id, rule_id, event_id, event_type, incident_id, channel_type, target_url, payload, status, next_attempt_at)
           VALUES ($1, $2, $3, 'IncidentDeclared', 'i-1', 'webhook', $4, '{}', 'retrying', now())`,
          [randomUUID(), rule, randomUUID(), url],
        );
      }

      const after = NOTIFICATION_SERVICE_MIGRATIONS.slice(before.length).map((migration) => new migration().name);
      expect(after[0]).toBe('AddDeliveryRoundStartAndTargetOrigin1732000001100');
      expect(await runMigrations(db.url, NOTIFICATION_SERVICE_MIGRATIONS)).toEqual(after);

      const { rows } = await db.pool.query<{ target_url: string; target_origin: string; round_started_at: Date | null }>(
        `SELECT target_url, target_origin, round_started_at FROM deliveries ORDER BY seq`,
      );
      expect(rows.map((r) => [r.target_url, r.target_origin, r.round_started_at])).toEqual([
        ['https://A.example:443/x', 'https://a.example', null],
        ['http://b.example:8080/y', 'http://b.example:8080', null],
        ['https://A.example/z', 'https://a.example', null],
      ]);
    } finally {
      await db.drop();
    }
  });
});
