import { MESSAGE_TRANSPORT, InProcessMessagingModule, type MessageTransport } from '@fireline/messaging';
import { TOPICS } from '@fireline/contracts';
import { runMigrations } from '@fireline/event-store';
import { configureHttpApp } from '@fireline/http';
import { SecretBox, type EncryptionKeys } from '@fireline/secrets';
import { CqrsModule } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventually } from '../../../../../test/support/eventually';
import { startLocalHttpReceiver, type LocalHttpReceiver } from '../../../../../test/support/local-http-receiver';
import { dumpAllTables } from '../../../../../test/support/table-dump';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import { TEST_DELIVERY_CONFIG } from '../../../../../test/support/test-delivery-config';
import { TEST_ENCRYPTION_KEYS, TEST_OUTBOUND_POLICY } from '../../../../../test/support/test-secrets';
import { NOTIFICATION_SERVICE_MIGRATIONS, NotificationServiceModule } from '../../notification-service.module';
import { verifyFirelineSignature } from '../channels/webhook-signature';
import type { DeliveryPageView, DeliveryView } from '../projections/delivery.view';
import type { NotificationRuleView } from '../projections/notification-rule.view';
import { anIncidentDeclared } from '../testing/incident-event.factory';
import { NotificationSecretBox } from './notification-secret-box';
import { resealNotificationSecrets } from './reseal-notification-secrets';

/** Seals as the services under test do (the test key). */
const TEST_BOX = new NotificationSecretBox(new SecretBox(TEST_ENCRYPTION_KEYS));

interface TestApp {
  app: NestFastifyApplication;
  http: () => ReturnType<typeof request>;
  publish: (service: string) => Promise<void>;
}

describe('notification-service secrets at rest and outbound policy', () => {
  jest.setTimeout(30_000);
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  async function boot(db: TestDatabase, encryption: EncryptionKeys = TEST_ENCRYPTION_KEYS): Promise<TestApp> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CqrsModule.forRoot(),
        InProcessMessagingModule,
        NotificationServiceModule.register({
          database: { url: db.url, poolSize: 5, migrationsRun: true },
          delivery: TEST_DELIVERY_CONFIG,
          outbound: TEST_OUTBOUND_POLICY,
          encryption,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    configureHttpApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    closers.push(() => app.close());
    const transport = app.get<MessageTransport>(MESSAGE_TRANSPORT);
    return {
      app,
      http: () => request(app.getHttpServer()),
      publish: (service) => transport.publish(TOPICS.incidents, [anIncidentDeclared({ severity: 'SEV1', services: [service] })]),
    };
  }

  async function database(prefix: string): Promise<TestDatabase> {
    const db = await createTestDatabase(prefix, 4);
    closers.push(() => db.drop());
    return db;
  }

  async function receiver(): Promise<LocalHttpReceiver> {
    const r = await startLocalHttpReceiver();
    closers.push(() => r.close());
    return r;
  }

  async function deliveriesOf(t: TestApp, ruleId: string, status: DeliveryView['status']): Promise<DeliveryView[]> {
    return eventually(async () => {
      const items = ((await t.http().get('/v1/deliveries').query({ ruleId }).expect(200)).body as DeliveryPageView).items;
      expect(items.map((d) => d.status)).toEqual([status]);
      return items;
    });
  }

  describe('rule URLs', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await boot(await database('notification_outbound'));
    });

    // The test policy allows http and exactly 127.0.0.1/32 and ::1 (the local receivers): everything else is refused.
    it.each([
      ['the metadata service', 'http://169.254.169.254/latest/meta-data/iam/'],
      ['a private address', 'https://10.0.0.5/hook'],
      ['another private range', 'https://192.168.1.20:8443/hook'],
      ['another loopback address, in hex', 'http://0x7f000002/v1/admin'],
      ['an IPv4-mapped IPv6 loopback address', 'http://[::ffff:127.0.0.2]/'],
      ['IPv6 unique-local (AWS metadata over IPv6)', 'http://[fd00:ec2::254]/'],
      ['IPv6 link-local', 'http://[fe80::1]/'],
      ['localhost', 'http://localhost:5432/'],
      ['the database port of a private host', 'http://172.16.0.9:5432/'],
    ])('refuses a webhook to %s with 400 NOTIFICATION_RULE.TARGET_NOT_ALLOWED', async (_what, url) => {
      const response = await t
        .http()
        .post('/v1/notification-rules')
        .send({ name: 'probe', channel: { type: 'webhook', url } })
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'NOTIFICATION_RULE.TARGET_NOT_ALLOWED', errors: [{ field: 'channel.url', message: expect.stringMatching(/not a public/) }] });
    });

    it('refuses 127.0.0.2 written as one decimal number (the DTO already finds it no URL; the policy would refuse it too)', async () => {
      const response = await t.http().post('/v1/notification-rules').send({ name: 'probe', channel: { type: 'webhook', url: 'http://2130706434/' } }).expect(400);
      expect(response.body.errors).toEqual([{ field: 'channel.url', message: expect.any(String) }]);
    });

    it('refuses the same on a Slack channel and on a PATCH, and leaves the rule as it was', async () => {
      const slack = await t.http().post('/v1/notification-rules').send({ name: 'probe', channel: { type: 'slack', webhookUrl: 'http://10.1.2.3/services/x' } }).expect(400);
      expect(slack.body.errors).toEqual([{ field: 'channel.webhookUrl', message: expect.any(String) }]);

      const hook = await receiver();
      const rule = (await t.http().post('/v1/notification-rules').send({ name: 'ok', channel: { type: 'webhook', url: hook.url } }).expect(201)).body as NotificationRuleView;
      const patch = await t.http().patch(`/v1/notification-rules/${rule.id}`).send({ channel: { type: 'webhook', url: 'http://169.254.169.254/' } }).expect(400);
      expect(patch.body).toMatchObject({ code: 'NOTIFICATION_RULE.TARGET_NOT_ALLOWED' });
      const after = (await t.http().get(`/v1/notification-rules/${rule.id}`).expect(200)).body as NotificationRuleView;
      expect(after.channel).toMatchObject({ type: 'webhook', url: hook.url });
    });

    it('refuses a URL sent back as reads show it, masked, and one with a password in it', async () => {
      const masked = await t.http().post('/v1/notification-rules').send({ name: 'copy', channel: { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/…wxyz' } }).expect(400);
      expect(masked.body.errors[0].message).toMatch(/masked/);
      const password = await t.http().post('/v1/notification-rules').send({ name: 'basic', channel: { type: 'webhook', url: 'https://ops:hunter2@hooks.example.com/x' } }).expect(400);
      expect(password.body).toMatchObject({ code: 'NOTIFICATION_RULE.TARGET_NOT_ALLOWED', errors: [{ field: 'channel.url', message: expect.stringMatching(/user name or password/) }] });
      expect(JSON.stringify(password.body)).not.toContain('hunter2');
    });
  });

  describe('secrets at rest', () => {
    it('keeps no webhook secret, Slack URL or URL token in plaintext in any table, shows them masked, and still signs and sends', async () => {
      const db = await database('notification_at_rest');
      const t = await boot(db);
      const hook = await receiver();
      const slack = await receiver();
      const service = `svc-${randomUUID()}`;
      const clientSecret = `client-secret-${randomBytes(12).toString('hex')}`;
      const queryToken = `qtok${randomBytes(10).toString('hex')}`;
      const slackToken = randomBytes(12).toString('hex').toUpperCase() + 'zz';
      const webhookUrl = `${hook.url}?token=${queryToken}`;
      const slackUrl = `${slack.url.replace('/hook', '')}/services/T0A1B2C3/B0D4E5F6/${slackToken}`;

      const own = (await t.http().post('/v1/notification-rules').send({ name: 'own', match: { services: [service] }, channel: { type: 'webhook', url: webhookUrl, secret: clientSecret } }).expect(201)).body as NotificationRuleView;
      const generated = (
        await t.http().post('/v1/notification-rules').set('idempotency-key', randomUUID()).send({ name: 'generated', match: { services: [service] }, channel: { type: 'webhook', url: hook.url } }).expect(201)
      ).body as NotificationRuleView;
      const generatedSecret = (generated.channel as { secret: string }).secret;
      const slackRule = (await t.http().post('/v1/notification-rules').send({ name: 'slack', match: { services: [service] }, channel: { type: 'slack', webhookUrl: slackUrl } }).expect(201)).body as NotificationRuleView;

      await t.publish(service);
      const [delivered] = await deliveriesOf(t, own.id, 'delivered');
      await deliveriesOf(t, generated.id, 'delivered');
      await deliveriesOf(t, slackRule.id, 'delivered');
      const signedWithClientSecret = hook.requests.find((r) => r.path.includes(queryToken))!;
      expect(verifyFirelineSignature(clientSecret, signedWithClientSecret.rawBody, signedWithClientSecret.headers, 300)).toBe(true);
      const signedWithGenerated = hook.requests.find((r) => !r.path.includes(queryToken))!;
      expect(verifyFirelineSignature(generatedSecret, signedWithGenerated.rawBody, signedWithGenerated.headers, 300)).toBe(true);
      expect(slack.requests.map((r) => r.path)).toEqual([`/services/T0A1B2C3/B0D4E5F6/${slackToken}`]);

      const secrets = [clientSecret, generatedSecret, queryToken, slackToken];
      const atRest = await dumpAllTables(db.pool);
      expect(atRest).toContain(own.id); // the dump does hold the rules and deliveries…
      for (const secret of secrets) expect({ secret, atRest: atRest.includes(secret) }).toEqual({ secret, atRest: false });

      const reads = JSON.stringify([
        (await t.http().get('/v1/notification-rules').expect(200)).body,
        (await t.http().get(`/v1/notification-rules/${slackRule.id}`).expect(200)).body,
        (await t.http().get('/v1/deliveries').query({ ruleId: own.id }).expect(200)).body,
        (await t.http().get(`/v1/deliveries/${delivered.id}`).expect(200)).body,
      ]);
      for (const secret of secrets) expect({ secret, read: reads.includes(secret) }).toEqual({ secret, read: false });
      const ownRead = (await t.http().get(`/v1/notification-rules/${own.id}`).expect(200)).body as NotificationRuleView;
      expect(ownRead.channel).toEqual({ type: 'webhook', url: `${hook.url}?token=…${queryToken.slice(-4)}`, secretPreview: `…${clientSecret.slice(-4)}` });
      const slackRead = (await t.http().get(`/v1/notification-rules/${slackRule.id}`).expect(200)).body as NotificationRuleView;
      expect(slackRead.channel).toEqual({ type: 'slack', webhookUrl: `${slack.url.replace('/hook', '')}/services/T0A1B2C3/B0D4E5F6/…${slackToken.slice(-4)}` });
    });

    it('seals at start-up what an earlier version stored in plaintext, and goes on signing with the same secret', async () => {
      const db = await database('notification_legacy');
      await runMigrations(db.url, NOTIFICATION_SERVICE_MIGRATIONS);
      const hook = await receiver();
      const service = `svc-${randomUUID()}`;
      const legacySecret = `whsec_${randomBytes(32).toString('hex')}`;
      const ruleId = randomUUID();
      const deliveryId = randomUUID();
      // As the version before encryption wrote them.
      await db.pool.query(
        `INSERT INTO notification_rules (id, name, enabled, match_severities, match_services, match_event_types, channel_type, target_url, webhook_secret, created_at, updated_at)
         VALUES ($1, 'legacy', true, '{}', $2, '{}', 'webhook', $3, $4, now(), now())`,
        [ruleId, [service], hook.url, legacySecret],
      );
      await db.pool.query(
        `INSERT INTO deliveries (id, rule_id, event_id, event_type, incident_id, channel_type, target_url, target_origin, payload, status, next_attempt_at)
         VALUES ($1, $2, $3, 'IncidentDeclared', 'inc-1', 'webhook', $4, $5, '{"deliveryId":"x"}', 'dead_lettered', now())`,
        [deliveryId, ruleId, randomUUID(), hook.url, new URL(hook.url).origin],
      );

      const t = await boot(db);
      const stored = await eventually(async () => {
        const { rows } = await db.pool.query<{ target_url: string; webhook_secret: string }>('SELECT target_url, webhook_secret FROM notification_rules WHERE id = $1', [ruleId]);
        const { rows: deliveries } = await db.pool.query<{ target_url: string }>('SELECT target_url FROM deliveries WHERE id = $1', [deliveryId]);
        expect([rows[0].target_url, rows[0].webhook_secret, deliveries[0].target_url].map((v) => v.slice(0, 11))).toEqual(['fl1:test-1:', 'fl1:test-1:', 'fl1:test-1:']);
        return rows[0];
      });
      expect(JSON.stringify(stored)).not.toContain(legacySecret);

      await t.publish(service);
      const sent = await eventually(() => {
        const fresh = hook.requests.find((r) => r.headers['fireline-delivery-id'] !== deliveryId);
        expect(fresh).toBeDefined();
        return fresh!;
      });
      expect(verifyFirelineSignature(legacySecret, sent.rawBody, sent.headers, 300)).toBe(true);
      await t.http().post(`/v1/deliveries/${deliveryId}/retry`).expect(202);
      await eventually(() => expect(hook.requests.some((r) => r.headers['fireline-delivery-id'] === deliveryId)).toBe(true));
    });

    it('rotates keys: re-seals every row with the new key, after which the old key can go; a row whose key is gone is reported, never a 500', async () => {
      const db = await database('notification_rotation');
      const t = await boot(db);
      const hook = await receiver();
      const service = `svc-${randomUUID()}`;
      const rule = (await t.http().post('/v1/notification-rules').send({ name: 'rotating', match: { services: [service] }, channel: { type: 'webhook', url: hook.url, secret: 'rotation-secret-value-1234' } }).expect(201)).body as NotificationRuleView;
      await t.publish(service);
      await deliveriesOf(t, rule.id, 'delivered');

      // A status-page subscriber with a queued notification, and a Statuspage mirror: sealed columns too.
      const pageId = randomUUID();
      await db.pool.query(
        `INSERT INTO status_page_copies (page_id, slug, name, url, time_zone, status_indicator, status_description, last_event_at)
         VALUES ($1, $2, 'Rotating', 'https://status.example.com/x', 'UTC', 'none', 'ok', now())`,
        [pageId, `rotating-${pageId.slice(0, 8)}`],
      );
      const subscriber = (await t.http().post(`/v1/status-pages/${pageId}/subscribers`).send({ url: hook.url, secret: 'subscriber-secret-value-1234' }).expect(201)).body as { id: string };
      const subscriberDelivery = randomUUID();
      await db.pool.query(
        `INSERT INTO deliveries (id, subscriber_id, status_page_id, event_id, event_type, channel_type, target_url, target_origin, payload, status, next_attempt_at)
         VALUES ($1, $2, $3, $4, 'StatusPageComponentStatusChanged', 'webhook', $5, 'x', $6, 'dead_lettered', now())`,
        [subscriberDelivery, subscriber.id, pageId, randomUUID(), TEST_BOX.sealDeliveryTargetUrl(subscriberDelivery, hook.url), TEST_BOX.sealDeliveryPayload(subscriberDelivery, '{"meta":{}}')],
      );
      await t.http().put(`/v1/status-pages/${pageId}/statuspage-sync`).send({ statuspagePageId: 'abc123', apiKey: 'statuspage-key-1234' }).expect(200);

      const k2 = { id: 'test-2', key: randomBytes(32) };
      const rotating = new NotificationSecretBox(new SecretBox({ current: k2, previous: [TEST_ENCRYPTION_KEYS.current] }));
      const report = await resealNotificationSecrets(db.pool, rotating);
      expect(report.rules.failed + report.deliveries.failed + report.subscribers.failed + report.statuspageSyncConfigs.failed).toBe(0);
      expect([report.subscribers.resealed, report.statuspageSyncConfigs.resealed]).toEqual([1, 1]);
      const stale = await db.pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM status_page_subscribers WHERE webhook_url NOT LIKE 'fl1:test-2:%' OR webhook_secret NOT LIKE 'fl1:test-2:%' OR unsubscribe_token NOT LIKE 'fl1:test-2:%')
              + (SELECT count(*) FROM deliveries WHERE subscriber_id IS NOT NULL AND payload NOT LIKE 'fl1:test-2:%')
              + (SELECT count(*) FROM statuspage_sync_configs WHERE api_key NOT LIKE 'fl1:test-2:%') AS n`,
      );
      expect(Number(stale.rows[0]!.n)).toBe(0);
      expect(report.rules.resealed).toBeGreaterThanOrEqual(1);
      expect((await resealNotificationSecrets(db.pool, rotating)).rules.resealed).toBe(0); // nothing left: safe to repeat
      const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification_rules WHERE target_url NOT LIKE 'fl1:test-2:%' OR webhook_secret NOT LIKE 'fl1:test-2:%'`);
      expect(rows[0].n).toBe(0);

      // The service still runs with test-1 only: the rows it cannot open show as unreadable, not as a 500.
      const read = (await t.http().get(`/v1/notification-rules/${rule.id}`).expect(200)).body as NotificationRuleView;
      expect(read.channel).toMatchObject({ url: NotificationSecretBox.UNREADABLE, secretPreview: NotificationSecretBox.UNREADABLE });
      const onlyNewKey = new NotificationSecretBox(new SecretBox({ current: k2, previous: [] }));
      const { rows: sealed } = await db.pool.query<{ webhook_secret: string }>('SELECT webhook_secret FROM notification_rules WHERE id = $1', [rule.id]);
      expect(onlyNewKey.openRuleSecret(rule.id, sealed[0].webhook_secret)).toBe('rotation-secret-value-1234');
      expect(() => onlyNewKey.openRuleSecret(randomUUID(), sealed[0].webhook_secret)).toThrow(/does not open/);
    });
  });
});
