import { runMigrations } from '@fireline/event-store';
import { SecretBox } from '@fireline/secrets';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventually } from '../../../../../test/support/eventually';
import { createServiceTestApp } from '../../../../../test/support/nest-test-app';
import { dumpAllTables } from '../../../../../test/support/table-dump';
import { createTestDatabase } from '../../../../../test/support/test-database';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { api } from '../../../../../test/support/test-credentials';
import { INCIDENT_SERVICE_MIGRATIONS, IncidentServiceModule } from '../../incident-service.module';
import { signingSecretContext } from '../integrations/persistence/integration.repository';
import { createPagerDutyIntegration, deliver, FIXTURE_SECRET, fixtureDelivery } from '../testing/pagerduty-webhooks.testing';
import { anEventsV2Event, bootAlertTestApp, createIntegration, type AlertTestApp } from '../testing/events-v2.testing';
import { rawBodyContext } from './alert-intake.repository';

describe('alert intake ledger: redaction and secrets at rest', () => {
  jest.setTimeout(30_000);
  let t: AlertTestApp;
  const box = new SecretBox(TEST_ENCRYPTION_KEYS);

  beforeAll(async () => {
    t = await bootAlertTestApp('alert_intake_secrets');
  });

  afterAll(async () => {
    await t.close();
  });

  const ledger = async (integrationId: string) => (await t.http.get(`/v1/integrations/${integrationId}/deliveries`).expect(200)).body.items as Record<string, unknown>[];

  it('stores no credential header and no body secret in plaintext, shows them masked, and processes the original', async () => {
    const integration = await createIntegration(t.http);
    const secrets = {
      apiKey: `xak-${randomBytes(12).toString('hex')}`,
      authToken: `xat-${randomBytes(12).toString('hex')}`,
      bearer: `brr-${randomBytes(12).toString('hex')}`,
      cookie: `sid-${randomBytes(12).toString('hex')}`,
      dbPassword: `pw-${randomBytes(12).toString('hex')}`,
      extraToken: `tok-${randomBytes(12).toString('hex')}`,
    };
    const event = anEventsV2Event(integration.routingKey, {
      dedup_key: `secrets-${randomUUID()}`,
      payload: { summary: 'Disk full on db-1', source: 'db-1', severity: 'critical', custom_details: { db_password: secrets.dbPassword, disk: '/var/lib/postgresql' } },
      token: secrets.extraToken,
    });
    const sent = await t.http
      .post('/v2/enqueue')
      .set({ 'x-api-key': secrets.apiKey, 'x-auth-token': secrets.authToken, authorization: `Bearer ${secrets.bearer}`, cookie: `session=${secrets.cookie}`, 'user-agent': 'probe/1' })
      .send(event);
    expect(sent.status).toBe(202);

    const [row] = await ledger(integration.id);
    expect(row.headers).toMatchObject({ 'x-api-key': '[redacted]', 'x-auth-token': '[redacted]', authorization: '[redacted]', cookie: '[redacted]', 'user-agent': 'probe/1' });
    const shown = JSON.parse(row.rawBody as string) as { routing_key: string; token: string; payload: { custom_details: Record<string, string> } };
    expect(shown.routing_key).toBe(`…${integration.routingKey.slice(-4)}`);
    expect(shown.token).toBe(`…${secrets.extraToken.slice(-4)}`);
    expect(shown.payload.custom_details).toEqual({ db_password: `…${secrets.dbPassword.slice(-4)}`, disk: '/var/lib/postgresql' });

    // At rest: the ledger and the integration hold none of it (the event store keeps what processing copied, see below).
    const intakeTables = (await dumpAllTables(t.db.pool))
      .split('\n')
      .filter((line) => /^(alert_intake|alert_intake_unauthenticated|integrations|idempotency_keys|pagerduty_webhook_deliveries):/.test(line))
      .join('\n');
    expect(intakeTables).toContain(row.id as string);
    for (const [name, secret] of Object.entries({ ...secrets, routingKey: integration.routingKey })) {
      expect({ name, stored: intakeTables.includes(secret) }).toEqual({ name, stored: false });
    }

    // Processing read the sealed original, not the masked copy: the alert carries the detail as sent.
    const { rows } = await t.db.pool.query<{ data: { customDetails: Record<string, string> } }>(
      `SELECT data FROM events WHERE event_type = 'AlertTriggered' AND data->>'integrationId' = $1`,
      [integration.id],
    );
    expect(rows[0].data.customDetails).toEqual({ db_password: secrets.dbPassword, disk: '/var/lib/postgresql' });
  });

  it('re-processes a sealed delivery from its original body', async () => {
    const integration = await createIntegration(t.http);
    const id = randomUUID();
    const dedupKey = `sealed-${randomUUID()}`;
    const body = JSON.stringify(anEventsV2Event('*'.repeat(28) + integration.routingKey.slice(-4), { dedup_key: dedupKey }));
    // As a request that died after recording the delivery left it: sealed, redacted, unprocessed, its lease far away.
    await t.db.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, display_body, event_action, dedup_key, verdict, attempts, next_attempt_at)
       VALUES ($1, $2, now(), '{}', $3, '{}', 'trigger', $4, 'accepted', 1, now() + interval '1 hour')`,
      [id, integration.id, box.seal(body, rawBodyContext(id)), dedupKey],
    );
    const answer = await t.http.post(`/v1/integrations/${integration.id}/deliveries/${id}/reprocess`).expect(200);
    expect(answer.body).toMatchObject({ verdict: 'accepted', reason: 'triggered: opened incarnation 1', error: null });
  });

  it('answers 409 DELIVERY.UNREADABLE, not 500, for a delivery sealed with a key that is not configured', async () => {
    const integration = await createIntegration(t.http);
    const id = randomUUID();
    const stranger = new SecretBox({ current: { id: 'gone', key: randomBytes(32) }, previous: [] });
    await t.db.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, display_body, event_action, dedup_key, verdict, attempts, next_attempt_at)
       VALUES ($1, $2, now(), '{}', $3, '{}', 'trigger', 'k', 'accepted', 1, now() + interval '1 hour')`,
      [id, integration.id, stranger.seal('{}', rawBodyContext(id))],
    );
    const answer = await t.http.post(`/v1/integrations/${integration.id}/deliveries/${id}/reprocess`).expect(409);
    expect(answer.body).toMatchObject({ code: 'DELIVERY.UNREADABLE' });
    expect(answer.body.detail).toMatch(/encryption key gone/);
    expect((await ledger(integration.id))[0]).toMatchObject({ id, rawBody: '{}' });
  });

  it('seals at start-up what an earlier version stored in plaintext: signing secrets, ledger bodies and their headers', async () => {
    const db = await createTestDatabase('alert_intake_legacy', 4);
    try {
      await runMigrations(db.url, INCIDENT_SERVICE_MIGRATIONS);
      const integrationId = randomUUID();
      const intakeId = randomUUID();
      const apiKey = `legacy-key-${randomBytes(8).toString('hex')}`;
      // As the version before encryption wrote them.
      await db.pool.query(
        `INSERT INTO integrations (id, type, name, service, severity_mapping, signing_secrets, created_at)
         VALUES ($1, 'pagerduty-webhooks-v3', 'legacy', 'payments', '{"critical":"SEV1","error":"SEV2","warning":"SEV3","info":"SEV4"}', $2, now())`,
        [integrationId, [FIXTURE_SECRET]],
      );
      await db.pool.query(
        `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, verdict, reason, processed_at)
         VALUES ($1, $2, now(), $3, $4, 'rejected', 'signature: no v1 signature matches a signing secret', now())`,
        [intakeId, integrationId, { 'x-api-key': apiKey, 'user-agent': 'old' }, JSON.stringify({ password: 'legacy-password-1234' })],
      );

      const app = await createServiceTestApp(
        IncidentServiceModule.register({ database: { url: db.url, poolSize: 4, migrationsRun: true }, projections: { pollIntervalMs: 20 }, encryption: TEST_ENCRYPTION_KEYS }),
      );
      try {
        await eventually(async () => {
          const { rows } = await db.pool.query<{ signing_secrets: string[] }>('SELECT signing_secrets FROM integrations WHERE id = $1', [integrationId]);
          const { rows: intake } = await db.pool.query<{ raw_body: string; display_body: string | null }>('SELECT raw_body, display_body FROM alert_intake WHERE id = $1', [intakeId]);
          expect(rows[0].signing_secrets[0]).toMatch(/^fl1:test-1:/);
          expect(intake[0].raw_body).toMatch(/^fl1:test-1:/);
          expect(intake[0].display_body).toBeNull(); // shown redacted from the sealed body when read (below)
        });
        const dump = await dumpAllTables(db.pool);
        for (const secret of [FIXTURE_SECRET, apiKey, 'legacy-password']) expect({ secret, stored: dump.includes(secret) }).toEqual({ secret, stored: false });
        const { rows } = await db.pool.query<{ signing_secrets: string[] }>('SELECT signing_secrets FROM integrations WHERE id = $1', [integrationId]);
        expect(box.open(rows[0].signing_secrets[0], signingSecretContext(integrationId))).toBe(FIXTURE_SECRET);

        // The sealed secret still verifies PagerDuty's signature.
        const http = request(app.getHttpServer());
        await deliver(http, integrationId, fixtureDelivery('01-incident-triggered')).expect(200);
        const shown = (await api(app).get(`/v1/integrations/${integrationId}/deliveries`).expect(200)).body.items as Record<string, unknown>[];
        expect(shown.find((d) => d.id === intakeId)).toMatchObject({ headers: { 'x-api-key': '[redacted]', 'user-agent': 'old' }, rawBody: '{"password":"…1234"}' });
      } finally {
        await app.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('keeps signing secrets sealed through a PATCH rotation', async () => {
    const integration = await createPagerDutyIntegration(t.http, ['old-secret-0123456789abcdef']);
    await t.http.patch(`/v1/integrations/${integration.id}`).send({ signingSecrets: [FIXTURE_SECRET, 'old-secret-0123456789abcdef'] }).expect(200);
    const { rows } = await t.db.pool.query<{ signing_secrets: string[] }>('SELECT signing_secrets FROM integrations WHERE id = $1', [integration.id]);
    expect(rows[0].signing_secrets.map((s) => s.slice(0, 11))).toEqual(['fl1:test-1:', 'fl1:test-1:']);
    expect(JSON.stringify(rows)).not.toMatch(/old-secret|whsec/);
    await deliver(t.http, integration.id, fixtureDelivery('01-incident-triggered')).expect(200);
  });
});
