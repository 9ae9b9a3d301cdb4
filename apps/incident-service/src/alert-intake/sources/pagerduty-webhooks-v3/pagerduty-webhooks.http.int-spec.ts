import { nameBasedUuid } from '@fireline/event-store';
import { SecretBox } from '@fireline/secrets';
import { TEST_ENCRYPTION_KEYS } from '../../../../../../test/support/test-secrets';
import { rawBodyContext } from '../../ledger/alert-intake.repository';
import { bootAlertTestApp, createIntegration, type AlertTestApp } from '../../testing/events-v2.testing';
import {
  createPagerDutyIntegration,
  deliver,
  FIXTURE_NAMES,
  FIXTURE_SECRET,
  fixtureDelivery,
  signedDelivery,
} from '../../testing/pagerduty-webhooks.testing';
import { PagerDutyWebhooksHttpController } from './pagerduty-webhooks.http.controller';

/** The PagerDuty incident id of every fixture. */
const PD_INCIDENT = 'Q2K9PDINC01ABC';

describe(PagerDutyWebhooksHttpController.name, () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('pagerduty_webhooks_http');
  });

  afterAll(async () => {
    await t.close();
  });

  const incidentIdOf = (integrationId: string): string => nameBasedUuid(`pagerduty:${integrationId}:${PD_INCIDENT}`);

  async function eventCount(integrationId: string): Promise<number> {
    const result = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`incident-${incidentIdOf(integrationId)}`]);
    return result.rows[0].n;
  }

  async function allEventCount(): Promise<number> {
    return (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
  }

  async function ledger(integrationId: string): Promise<{ verdict: string; reason: string | null; dedup_key: string | null; event_action: string | null }[]> {
    const result = await t.db.pool.query('SELECT verdict, reason, dedup_key, event_action FROM alert_intake WHERE integration_id = $1 ORDER BY received_at, id', [integrationId]);
    return result.rows;
  }

  it('mirrors the captured deliveries 01..05, replayed byte for byte, onto one Fireline incident', async () => {
    const integration = await createPagerDutyIntegration(t.http);
    const results: string[] = [];
    for (const name of FIXTURE_NAMES) {
      const response = await deliver(t.http, integration.id, fixtureDelivery(name));
      expect(response.status).toBe(200);
      expect(response.body.incidentId).toBe(incidentIdOf(integration.id));
      results.push(response.body.result as string);
    }
    expect(results).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);

    const incident = await t.http.get(`/v1/incidents/${incidentIdOf(integration.id)}`);
    expect(incident.status).toBe(200);
    expect(incident.body).toMatchObject({
      title: 'Checkout 5xx error rate above 15%',
      severity: 'SEV2',
      status: 'resolved',
      services: ['payments', 'Checkout API'],
      detectionSource: `pagerduty:${integration.name}`,
      declaredAt: '2026-11-20T14:02:11.402Z',
      declaredBy: `integration:${integration.id}`,
      acknowledgedAt: '2026-11-20T14:04:57.118Z',
      resolutionSummary: 'Resolved in PagerDuty',
      noteCount: 1,
    });
    const timeline = await t.http.get(`/v1/incidents/${incidentIdOf(integration.id)}/timeline`);
    const entries = timeline.body.items as { kind: string; summary: string; details: Record<string, unknown> }[];
    expect(entries.map((e) => e.kind)).toEqual(['IncidentDeclared', 'IncidentAcknowledged', 'TimelineNoteAdded', 'IncidentSeverityChanged', 'IncidentResolved']);
    expect(entries[2].details).toMatchObject({ noteId: '01HF3YA0AB12CD34EF56GH78JK', text: 'Connection pool exhausted on checkout-db primary; rolling back deploy 2026.11.20-3.' });
    expect(entries[3].details).toMatchObject({ from: 'SEV1', to: 'SEV2', reason: 'PagerDuty priority changed to P2' });

    const rows = await ledger(integration.id);
    expect(rows.map((r) => [r.verdict, r.event_action, r.dedup_key])).toEqual([
      ['accepted', 'incident.triggered', '01HF3Y8QK8VZ0T6M2N4P5R7S9A'],
      ['accepted', 'incident.acknowledged', '01HF3Y9B1C2D3E4F5G6H7J8K9M'],
      ['accepted', 'incident.annotated', '01HF3YA0AB12CD34EF56GH78JK'],
      ['accepted', 'incident.priority_updated', '01HF3YB7ZZ98YX76WV54UT32SR'],
      ['accepted', 'incident.resolved', '01HF3YC4QW12ER34TY56UI78OP'],
    ]);
    // Kept byte for byte, sealed: it opens (with the service's key, for this row only) to exactly what PagerDuty sent.
    const stored = await t.db.pool.query<{ id: string; raw_body: string }>('SELECT id, raw_body FROM alert_intake WHERE integration_id = $1 AND event_action = $2', [
      integration.id,
      'incident.triggered',
    ]);
    expect(stored.rows[0].raw_body).toMatch(/^fl1:test-1:/);
    const opened = new SecretBox(TEST_ENCRYPTION_KEYS).open(stored.rows[0].raw_body, rawBodyContext(stored.rows[0].id));
    expect(Buffer.from(opened, 'utf8').equals(fixtureDelivery('01-incident-triggered').body)).toBe(true);
  });

  it('rejects the tampered delivery with 401 and processes nothing, before or after the incident exists', async () => {
    const integration = await createPagerDutyIntegration(t.http);
    const before = await allEventCount();
    const tampered = await deliver(t.http, integration.id, fixtureDelivery('99-tampered'));
    expect(tampered.status).toBe(401);
    expect(tampered.headers['content-type']).toMatch(/problem\+json/);
    expect(tampered.body.code).toBe('PAGERDUTY_WEBHOOK.INVALID_SIGNATURE');
    expect(await allEventCount()).toBe(before);

    await deliver(t.http, integration.id, fixtureDelivery('01-incident-triggered')).expect(200);
    expect((await deliver(t.http, integration.id, fixtureDelivery('99-tampered'))).status).toBe(401);
    expect(await eventCount(integration.id)).toBe(1);
    expect((await t.http.get(`/v1/incidents/${incidentIdOf(integration.id)}`)).body.status).toBe('detected');
    // The genuine 05 still works afterwards: the rejected delivery did not claim its event id.
    expect((await deliver(t.http, integration.id, fixtureDelivery('05-incident-resolved'))).body.result).toBe('applied');

    const rows = await ledger(integration.id);
    expect(rows.filter((r) => r.verdict === 'rejected').map((r) => r.reason)).toEqual([
      'signature: no v1 signature matches a signing secret',
      'signature: no v1 signature matches a signing secret',
    ]);
  });

  it('verifies with either signing secret during a rotation, and not with a secret PagerDuty did not sign with', async () => {
    const rotating = await createPagerDutyIntegration(t.http, ['whsec-another-secret-123456', FIXTURE_SECRET]);
    expect((await deliver(t.http, rotating.id, fixtureDelivery('01-incident-triggered'))).status).toBe(200);
    expect(await eventCount(rotating.id)).toBe(1);

    const other = await createPagerDutyIntegration(t.http, ['whsec-another-secret-123456']);
    expect((await deliver(t.http, other.id, fixtureDelivery('01-incident-triggered'))).status).toBe(401);
    expect(await eventCount(other.id)).toBe(0);
  });

  it('rotates signing secrets with PATCH: the new one verifies once added, the old one stops once removed', async () => {
    const old = 'whsec-old-secret-0123456789';
    const integration = await createPagerDutyIntegration(t.http, [old]);
    expect((await deliver(t.http, integration.id, fixtureDelivery('01-incident-triggered'))).status).toBe(401);

    const rotating = await t.http.patch(`/v1/integrations/${integration.id}`).send({ signingSecrets: [FIXTURE_SECRET, old] });
    expect(rotating.status).toBe(200);
    expect((await deliver(t.http, integration.id, fixtureDelivery('01-incident-triggered'))).status).toBe(200);
    expect(await eventCount(integration.id)).toBe(1);
    const signedWithOld = signedDelivery(fixtureDelivery('02-incident-acknowledged').body, old);
    expect((await deliver(t.http, integration.id, signedWithOld)).status).toBe(200);

    expect((await t.http.patch(`/v1/integrations/${integration.id}`).send({ signingSecrets: [FIXTURE_SECRET] })).status).toBe(200);
    const lateOld = signedDelivery(fixtureDelivery('03-incident-annotated').body, old);
    expect((await deliver(t.http, integration.id, lateOld)).status).toBe(401);

    const eventsV2 = await t.http.post('/v1/integrations').send({ type: 'events-v2', name: 'no-secrets', service: 'x' });
    const refused = await t.http.patch(`/v1/integrations/${eventsV2.body.id}`).send({ signingSecrets: [FIXTURE_SECRET] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].field).toBe('signingSecrets');
  });

  it('has no second effect when each delivery arrives twice and then 10 times concurrently', async () => {
    const integration = await createPagerDutyIntegration(t.http);
    for (const name of FIXTURE_NAMES) {
      const delivery = fixtureDelivery(name);
      const first = await deliver(t.http, integration.id, delivery);
      const again = await deliver(t.http, integration.id, delivery);
      expect([first.status, again.status]).toEqual([200, 200]);
      expect(again.body.result).toBe('duplicate');
      expect(again.body.reason).toContain('already processed');
      const storm = await Promise.all(Array.from({ length: 10 }, async () => deliver(t.http, integration.id, delivery)));
      expect(storm.map((r) => r.status)).toEqual(Array(10).fill(200));
    }
    expect(await eventCount(integration.id)).toBe(5);
    const rows = await ledger(integration.id);
    expect(rows).toHaveLength(5 * 12);
    expect(rows.filter((r) => r.verdict === 'accepted')).toHaveLength(5);
    expect(rows.filter((r) => r.verdict === 'duplicate')).toHaveLength(5 * 11);
  });

  it('applies concurrent first deliveries of the same event exactly once', async () => {
    const integration = await createPagerDutyIntegration(t.http);
    const storm = await Promise.all(Array.from({ length: 10 }, async () => deliver(t.http, integration.id, fixtureDelivery('01-incident-triggered'))));
    expect(storm.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(storm.filter((r) => r.body.result === 'applied')).toHaveLength(1);
    expect(await eventCount(integration.id)).toBe(1);
    const keys = await t.db.pool.query('SELECT count(*)::int AS n FROM pagerduty_webhook_deliveries WHERE integration_id = $1', [integration.id]);
    expect(keys.rows[0].n).toBe(1);
  });

  it('answers 401 to an unsigned delivery, even a malformed one, and 400 problem+json to a signed malformed one', async () => {
    const integration = await createPagerDutyIntegration(t.http);
    const { ['x-pagerduty-signature']: _signature, ...unsignedHeaders } = fixtureDelivery('01-incident-triggered').headers;
    expect((await deliver(t.http, integration.id, { body: fixtureDelivery('01-incident-triggered').body, headers: unsignedHeaders })).status).toBe(401);
    expect((await deliver(t.http, integration.id, { body: Buffer.from('{"event":'), headers: unsignedHeaders })).status).toBe(401);
    expect((await deliver(t.http, integration.id, { body: Buffer.alloc(0), headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect(await eventCount(integration.id)).toBe(0);

    for (const body of ['{"event":', '{"event":{"id":"E1"}}', '[]']) {
      const response = await deliver(t.http, integration.id, signedDelivery(body));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
      expect(response.body.code).toBe('PAGERDUTY_WEBHOOK.INVALID');
    }
    // The signature is over the bytes, whatever the content type says (text/plain is refused on every other route).
    const textPlain = { ...fixtureDelivery('01-incident-triggered').headers, 'content-type': 'text/plain' };
    expect((await deliver(t.http, integration.id, { body: fixtureDelivery('01-incident-triggered').body, headers: textPlain })).status).toBe(200);
  });

  it('answers 404 for an unknown integration, a non-UUID id, another integration type and a deleted integration', async () => {
    const delivery = fixtureDelivery('01-incident-triggered');
    expect((await deliver(t.http, '00000000-0000-4000-8000-000000000000', delivery)).status).toBe(404);
    expect((await deliver(t.http, 'not-a-uuid', delivery)).status).toBe(404);
    const eventsV2 = await createIntegration(t.http);
    const wrongType = await deliver(t.http, eventsV2.id, delivery);
    expect(wrongType.status).toBe(404);
    expect(wrongType.body.code).toBe('INTEGRATION.NOT_FOUND');
    const deleted = await createPagerDutyIntegration(t.http);
    await t.http.delete(`/v1/integrations/${deleted.id}`).expect(204);
    expect((await deliver(t.http, deleted.id, delivery)).status).toBe(404);
  });

  it('accepts and ignores events for an incident it never saw, types it does not mirror, and moves the incident refuses', async () => {
    const integration = await createPagerDutyIntegration(t.http);
    const early = await deliver(t.http, integration.id, fixtureDelivery('02-incident-acknowledged'));
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ result: 'ignored', incidentId: null });
    expect(early.body.reason).toContain('never mirrored');

    const reassigned = signedDelivery(JSON.stringify({ event: { id: 'EVT-REASSIGN', event_type: 'incident.reassigned', resource_type: 'incident', data: { id: PD_INCIDENT } } }));
    expect((await deliver(t.http, integration.id, reassigned)).body).toMatchObject({ result: 'ignored', reason: 'ignored: event type incident.reassigned is not mirrored' });
    const ping = signedDelivery(JSON.stringify({ event: { id: 'EVT-PING', event_type: 'pagey.ping', resource_type: 'pagey', data: { message: 'Hello from your friend Pagey!' } } }));
    expect((await deliver(t.http, integration.id, ping)).status).toBe(200);

    await deliver(t.http, integration.id, fixtureDelivery('01-incident-triggered')).expect(200);
    await deliver(t.http, integration.id, fixtureDelivery('05-incident-resolved')).expect(200);
    // A second resolve (another event id) of the resolved incident: refused by the incident, recorded, 2xx.
    const body = fixtureDelivery('05-incident-resolved').body.toString('utf8').replace('01HF3YC4QW12ER34TY56UI78OP', '01HF3YC4QW12ER34TY56UI7999');
    const again = await deliver(t.http, integration.id, signedDelivery(body, FIXTURE_SECRET, { 'x-webhook-id': '01HF3YC4QW12ER34TY56UI7999' }));
    expect(again.status).toBe(200);
    expect(again.body.result).toBe('duplicate');
    expect(again.body.reason).toContain('INCIDENT.ALREADY_RESOLVED');
    // The early acknowledge again: its event id was processed (ignored) already.
    const redelivered = await deliver(t.http, integration.id, fixtureDelivery('02-incident-acknowledged'));
    expect(redelivered.body).toMatchObject({ result: 'duplicate' });
    // An acknowledge under a new event id, after the resolve: refused by the incident, recorded, 2xx.
    const ackBody = fixtureDelivery('02-incident-acknowledged').body.toString('utf8').replace('01HF3Y9B1C2D3E4F5G6H7J8K9M', '01HF3Y9B1C2D3E4F5G6H7J8999');
    const late = await deliver(t.http, integration.id, signedDelivery(ackBody, FIXTURE_SECRET, { 'x-webhook-id': '01HF3Y9B1C2D3E4F5G6H7J8999' }));
    expect(late.status).toBe(200);
    expect(late.body.result).toBe('duplicate');
    expect(late.body.reason).toContain('INCIDENT.ALREADY_RESOLVED');
    expect(await eventCount(integration.id)).toBe(2);

    const deliveries = await t.http.get(`/v1/integrations/${integration.id}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items).toHaveLength(8);
  });

  it('dedupes on X-Webhook-Id as well as on event.id', async () => {
    const integration = await createPagerDutyIntegration(t.http);
    await deliver(t.http, integration.id, fixtureDelivery('01-incident-triggered')).expect(200);
    const body = fixtureDelivery('01-incident-triggered').body.toString('utf8').replace('01HF3Y8QK8VZ0T6M2N4P5R7S9A', 'ANOTHER-EVENT-ID');
    const sameWebhook = await deliver(t.http, integration.id, signedDelivery(body, FIXTURE_SECRET, { 'x-webhook-id': '01HF3Y8QK8VZ0T6M2N4P5R7S9A' }));
    expect(sameWebhook.body.result).toBe('duplicate');
    expect(await eventCount(integration.id)).toBe(1);
  });

  it('leaves JSON parsing of other routes as it was', async () => {
    const malformed = await t.http.post('/v1/incidents').set('content-type', 'application/json').send('{"title":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('REQUEST.MALFORMED_JSON');
    const privateType = await t.http.post('/v1/incidents').set('content-type', 'application/vnd.fireline.raw-body').send('{}');
    expect(privateType.status).toBe(415);
  });
});
