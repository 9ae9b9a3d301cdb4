import { randomUUID } from 'node:crypto';
import { anAlertmanagerAlert, anAlertmanagerWebhook, createAlertmanagerIntegration } from '../testing/alertmanager.testing';
import { anEventsV2Event, bootAlertTestApp, createIntegration, type AlertTestApp } from '../testing/events-v2.testing';

describe('ReprocessAlertDeliveryHandler (POST /v1/integrations/{id}/deliveries/{deliveryId}/reprocess)', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_reprocess');
  });

  afterAll(async () => {
    await t.close();
  });

  const reprocess = (integrationId: string, deliveryId: string) => t.http.post(`/v1/integrations/${integrationId}/deliveries/${deliveryId}/reprocess`);
  const alertEvents = async (integrationId: string) =>
    Number((await t.db.pool.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE event_type LIKE 'Alert%' AND data->>'integrationId' = $1", [integrationId])).rows[0].n);
  const latestDelivery = async (integrationId: string) => (await t.http.get(`/v1/integrations/${integrationId}/deliveries?limit=1`)).body.items[0] as Record<string, unknown>;

  it('appends nothing new for an events-v2 delivery that was processed, however often it is re-processed', async () => {
    const integration = await createIntegration(t.http);
    expect((await t.http.post('/v2/enqueue').send(anEventsV2Event(integration.routingKey, { dedup_key: `done-${randomUUID()}` }))).status).toBe(202);
    const delivery = await latestDelivery(integration.id);
    expect(delivery).toMatchObject({ verdict: 'accepted', reason: 'triggered: opened incarnation 1', error: null });

    const before = await alertEvents(integration.id);
    for (let i = 0; i < 3; i++) {
      const answer = await reprocess(integration.id, delivery.id as string);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: delivery.id, verdict: 'accepted', reason: 'triggered: opened incarnation 1', processedAt: delivery.processedAt, error: null });
    }
    expect(before).toBe(1);
    expect(await alertEvents(integration.id)).toBe(before);
  });

  it('processes an events-v2 delivery whose processing had failed, once', async () => {
    const integration = await createIntegration(t.http);
    const intakeId = randomUUID();
    const dedupKey = `failed-${randomUUID()}`;
    // A failed attempt waiting for the worker's backoff (an hour away): re-processing does not wait.
    await t.db.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, event_action, dedup_key, verdict, error, attempts, next_attempt_at)
       VALUES ($1, $2, now(), '{}', $3, 'trigger', $4, 'accepted', 'Error: database was down', 1, now() + interval '1 hour')`,
      [intakeId, integration.id, JSON.stringify(anEventsV2Event(integration.routingKey, { dedup_key: dedupKey })), dedupKey],
    );
    expect(await alertEvents(integration.id)).toBe(0);

    const first = await reprocess(integration.id, intakeId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: intakeId, verdict: 'accepted', reason: 'triggered: opened incarnation 1', error: null, attempts: 2 });
    expect(first.body.processedAt).not.toBeNull();
    expect(await alertEvents(integration.id)).toBe(1);

    const again = await reprocess(integration.id, intakeId);
    expect(again.body).toMatchObject({ verdict: 'accepted', processedAt: first.body.processedAt, attempts: 2 });
    expect(await alertEvents(integration.id)).toBe(1);
  });

  it('re-processes an Alertmanager delivery without appending anything new, and one left unprocessed for real', async () => {
    const integration = await createAlertmanagerIntegration(t.http);
    const webhook = anAlertmanagerWebhook(`{}:{alertname="Reprocess-${randomUUID()}"}`, [anAlertmanagerAlert('fp-a'), anAlertmanagerAlert('fp-b')]);
    const sent = await t.http.post(`/v1/integrations/${integration.id}/alertmanager`).set('authorization', `Bearer ${integration.token}`).send(webhook);
    expect(sent.status).toBe(200);
    const delivery = await latestDelivery(integration.id);
    const before = await alertEvents(integration.id);
    expect(before).toBeGreaterThan(0);
    const answer = await reprocess(integration.id, delivery.id as string);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: delivery.id, verdict: delivery.verdict, reason: delivery.reason });
    expect(await alertEvents(integration.id)).toBe(before);

    await t.db.pool.query("UPDATE alert_intake SET processed_at = NULL, error = 'Error: boom', next_attempt_at = now() + interval '1 hour' WHERE id = $1", [delivery.id]);
    const retried = await reprocess(integration.id, delivery.id as string);
    expect(retried.body).toMatchObject({ verdict: 'accepted', error: null });
    expect(retried.body.processedAt).not.toBeNull();
    expect(await alertEvents(integration.id)).toBe(before);
  });

  it('404s an unknown delivery and a delivery of another integration', async () => {
    const mine = await createIntegration(t.http);
    const other = await createIntegration(t.http);
    expect((await t.http.post('/v2/enqueue').send(anEventsV2Event(other.routingKey))).status).toBe(202);
    const othersDelivery = await latestDelivery(other.id);
    expect((await reprocess(mine.id, randomUUID())).body).toMatchObject({ status: 404, code: 'DELIVERY.NOT_FOUND' });
    expect((await reprocess(mine.id, othersDelivery.id as string)).body).toMatchObject({ status: 404, code: 'DELIVERY.NOT_FOUND' });
    expect((await reprocess(randomUUID(), othersDelivery.id as string)).body).toMatchObject({ status: 404, code: 'INTEGRATION.NOT_FOUND' });
    expect((await reprocess(mine.id, 'not-a-uuid')).body).toMatchObject({ status: 400, code: 'REQUEST.INVALID_ID' });
  });

  it('refuses a rejected delivery and the deliveries of PagerDuty webhooks (PagerDuty redelivers) with 409', async () => {
    const integration = await createIntegration(t.http);
    expect((await t.http.post('/v2/enqueue').send(anEventsV2Event(integration.routingKey, { payload: { summary: 'no source' } }))).status).toBe(400);
    const rejected = await latestDelivery(integration.id);
    expect(rejected.verdict).toBe('rejected');
    expect((await reprocess(integration.id, rejected.id as string)).body).toMatchObject({ status: 409, code: 'DELIVERY.REJECTED' });

    const created = await t.http.post('/v1/integrations').send({ type: 'pagerduty-webhooks-v3', name: 'pd', service: 'payments', signingSecrets: ['s'.repeat(32)] });
    expect(created.status).toBe(201);
    const intakeId = randomUUID();
    await t.db.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, verdict, error, attempts)
       VALUES ($1, $2, now(), '{}', '{}', 'accepted', 'Error: boom', 1)`,
      [intakeId, created.body.id],
    );
    expect((await reprocess(created.body.id as string, intakeId)).body).toMatchObject({ status: 409, code: 'DELIVERY.SENDER_REDELIVERS' });
  });
});
