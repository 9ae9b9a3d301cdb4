import { adminActorOf, api, type AuthedAgent } from '../../../../../test/support/test-credentials';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { TEST_DELIVERY_CONFIG } from '../../../../../test/support/test-delivery-config';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { NotificationServiceModule } from '../../notification-service.module';
import { NotificationRulesHttpController } from './notification-rules.http.controller';

/** As many rules as issue 8 measured (8.6 MB in one answer, RSS 540 → 804 MB under 10 concurrent lists). */
const RULES = 1_500;

describe(NotificationRulesHttpController.name, () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let http: AuthedAgent;

  beforeAll(async () => {
    db = await createTestDatabase('notification_rules_http');
    app = await createServiceTestApp(
      NotificationServiceModule.register({
        database: { url: db.url, poolSize: 10, migrationsRun: true },
        delivery: TEST_DELIVERY_CONFIG,
        encryption: TEST_ENCRYPTION_KEYS,
      }),
    );
    http = api(app);
    // Rules as big as the API allows a little of: 40 services of 100 characters each (about 5 KB a rule).
    await db.pool.query(
      `INSERT INTO notification_rules (id, name, enabled, match_services, channel_type, target_url, created_at, updated_at)
       SELECT gen_random_uuid(), 'rule ' || n, true, array_fill(repeat('s', 100), ARRAY[40]), 'slack', 'https://hooks.slack.com/services/T0/B0/x',
              '2020-01-01T00:00:00Z'::timestamptz + n * interval '1 second', now()
       FROM generate_series(1, $1::int) AS n`,
      [RULES],
    );
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('never answers 1,500 rules at once: 50 by default, `limit` honoured up to 100, oldest first', async () => {
    const first = await http.get('/v1/notification-rules');
    expect(first.status).toBe(200);
    process.stdout.write(`GET /v1/notification-rules with ${RULES} rules: ${first.text.length} bytes, ${first.body.items.length} items\n`);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.items[0].name).toBe('rule 1');
    expect(typeof first.body.nextCursor).toBe('string');
    expect((await http.get('/v1/notification-rules').query({ limit: 10 })).body.items).toHaveLength(10);
    const tooMany = await http.get('/v1/notification-rules').query({ limit: 101 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].field).toBe('limit');
   }, 30_000);

  it('walks every rule exactly once with the cursor, also while rules are added and deleted', async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await http.get('/v1/notification-rules').query({ limit: 100, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      names.push(...(page.body.items as { name: string }[]).map((r) => r.name));
      cursor = page.body.nextCursor as string | null;
      if (pages++ === 3) {
        // A rule deleted behind the cursor and one added after it: pages stay stable.
        const created = await http.post('/v1/notification-rules').send({ name: 'added while paging', channel: { type: 'slack', webhookUrl: 'https://hooks.slack.com/x' } });
        expect(created.status).toBe(201);
        await db.pool.query(`UPDATE notification_rules SET deleted_at = now() WHERE name = 'rule 2'`);
      }
    } while (cursor !== null);
    expect(pages).toBe(16);
    expect(names).toEqual([...Array.from({ length: RULES }, (_, i) => `rule ${i + 1}`), 'added while paging']);
   }, 30_000);

  it('rejects a cursor it did not make with 400 REQUEST.INVALID_CURSOR', async () => {
    const response = await http.get('/v1/notification-rules').query({ cursor: Buffer.from('["2020-13-45","x"]').toString('base64url') });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('REQUEST.INVALID_CURSOR');
  });

  it('records rule changes in notification-service’s audit log, with URLs and secrets masked', async () => {
    const created = await http.post('/v1/notification-rules').send({ name: 'slack', channel: { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/secret-token' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await http.patch(`/v1/notification-rules/${id}`).send({ channel: { type: 'webhook', url: 'https://ops.example.com/hook?token=abc', secret: 'whsec_0123456789abcdef0123' } })).status).toBe(200);
    expect((await http.delete(`/v1/notification-rules/${id}`)).status).toBe(204);
    const log = await http.get('/v1/admin/notification-service/audit-events').query({ resourceId: id });
    expect(log.status).toBe(200);
    expect(log.body.items.map((entry: { type: string; actor: string; resourceType: string }) => [entry.type, entry.actor, entry.resourceType])).toEqual([
      ['NotificationRuleDeleted', adminActorOf(app), 'notification-rule'],
      ['NotificationRuleUpdated', adminActorOf(app), 'notification-rule'],
      ['NotificationRuleCreated', adminActorOf(app), 'notification-rule'],
    ]);
    expect(log.body.items[1].details.changes.channel).toEqual({
      from: { type: 'slack', webhookUrl: 'https://hooks.slack.com/***' },
      to: { type: 'webhook', url: 'https://ops.example.com/***', secretPreview: '***' },
    });
    expect(JSON.stringify(log.body)).not.toMatch(/secret-token|token=abc|whsec_|0123/);
  });

  it('stores rule audit events without the generated webhook secret or the URL credentials (not only masked when read)', async () => {
    const created = await http.post('/v1/notification-rules').send({ name: 'generated', channel: { type: 'webhook', url: 'https://ops.example.com/hooks/Tok3nInThePath0123456789?sig=s1gnature99' } });
    expect(created.status).toBe(201);
    const generated = created.body.channel.secret as string;
    expect(generated.length).toBeGreaterThanOrEqual(16);
    const id = created.body.id as string;
    expect((await http.patch(`/v1/notification-rules/${id}`).send({ channel: { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/slackT0ken123' } })).status).toBe(200);
    expect((await http.delete(`/v1/notification-rules/${id}`)).status).toBe(204);
    const { rows } = await db.pool.query<{ event_type: string; data: unknown }>(`SELECT event_type, data FROM events WHERE metadata->'audit'->>'resourceId' = $1 ORDER BY global_position`, [id]);
    expect(rows.map((row) => row.event_type)).toEqual(['NotificationRuleCreated', 'NotificationRuleUpdated', 'NotificationRuleDeleted']);
    const stored = JSON.stringify(rows);
    for (const secret of [generated, 'Tok3nInThePath0123456789', 's1gnature99', 'slackT0ken123']) expect({ secret, stored: stored.includes(secret) }).toEqual({ secret, stored: false });
  });
});
