import { createPagerDutyIntegration, deliver, fixtureDelivery, signedDelivery } from '../testing/pagerduty-webhooks.testing';
import { anAlertmanagerAlert, anAlertmanagerWebhook, createAlertmanagerIntegration } from '../testing/alertmanager.testing';
import { bootAlertTestApp, withConcurrency, type AlertTestApp } from '../testing/events-v2.testing';
import { UnauthenticatedIntakeGate } from './unauthenticated-intake.gate';

const CAP = 5;
const FLOOD = 300;

describe(`${UnauthenticatedIntakeGate.name}: a flood of unauthenticated deliveries`, () => {
  jest.setTimeout(60_000);
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_unauthenticated', 30, undefined, { unauthenticatedDeliveries: { maxStoredPerWindow: CAP, windowMs: 3_600_000 } });
  });

  afterAll(async () => {
    await t.close();
  });

  const ledgerRows = async (integrationId: string) =>
    (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_intake WHERE integration_id = $1', [integrationId])).rows[0].n;
  const page = async (integrationId: string) => (await t.http.get(`/v1/integrations/${integrationId}/deliveries?limit=100`).expect(200)).body as { items: unknown[]; unauthenticated: Record<string, unknown>[] };

  it(`stores at most ${CAP} of ${FLOOD} badly signed PagerDuty deliveries, counts the rest, and still accepts a good one`, async () => {
    const integration = await createPagerDutyIntegration(t.http);
    const forged = signedDelivery(fixtureDelivery('01-incident-triggered').body, 'not-the-secret-0123456789');
    const statuses = await withConcurrency(25, Array.from({ length: FLOOD }, () => async () => (await deliver(t.http, integration.id, forged)).status));
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(await ledgerRows(integration.id)).toBe(CAP);

    const { items, unauthenticated } = await page(integration.id);
    expect(items).toHaveLength(CAP);
    expect(unauthenticated).toEqual([expect.objectContaining({ received: FLOOD, stored: CAP, notStored: FLOOD - CAP })]);

    await deliver(t.http, integration.id, fixtureDelivery('01-incident-triggered')).expect(200);
    expect(await ledgerRows(integration.id)).toBe(CAP + 1);
  });

  it(`stores at most ${CAP} of ${FLOOD} Alertmanager deliveries with a wrong token, per integration`, async () => {
    const [target, bystander] = [await createAlertmanagerIntegration(t.http), await createAlertmanagerIntegration(t.http)];
    const body = anAlertmanagerWebhook('{}:{alertname="Flood"}', [anAlertmanagerAlert('eeee000000000001')]);
    const statuses = await withConcurrency(
      25,
      Array.from({ length: FLOOD }, (_, i) => async () => (await t.http.post(`/v1/integrations/${target.id}/alertmanager`).set('authorization', `Bearer flt_guess_${i}`).send(body)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(await ledgerRows(target.id)).toBe(CAP);
    expect((await page(target.id)).unauthenticated).toEqual([expect.objectContaining({ received: FLOOD, stored: CAP, notStored: FLOOD - CAP })]);

    // Another integration's own cap is untouched, and its sender still gets through.
    expect(await ledgerRows(bystander.id)).toBe(0);
    await t.http.post(`/v1/integrations/${bystander.id}/alertmanager`).set('authorization', `Bearer ${bystander.token}`).send(body).expect(200);
    expect((await page(bystander.id)).unauthenticated).toEqual([]);
  });
});
