import { nameBasedUuid } from '@fireline/event-store';
import { isSealed, SecretBox } from '@fireline/secrets';
import { randomBytes, randomUUID } from 'node:crypto';
import { eventually } from '../../../../../test/support/eventually';
import { TEST_ENCRYPTION_KEYS } from '../../../../../test/support/test-secrets';
import { ReceivePagerDutyWebhookHandler } from '../sources/pagerduty-webhooks-v3/receive-pagerduty-webhook.command';
import { createPagerDutyIntegration, deliver, fixtureDelivery, signedDelivery } from '../testing/pagerduty-webhooks.testing';
import { anAlertmanagerAlert, anAlertmanagerWebhook, createAlertmanagerIntegration } from '../testing/alertmanager.testing';
import { anEventsV2Event, bootAlertTestApp, createIntegration, type AlertTestApp } from '../testing/events-v2.testing';
import { incidentIdOfAlert } from '../workflows/alert-incident';
import { AlertIntakeRepository, rawBodyContext } from './alert-intake.repository';
import { IngestAlertmanagerWebhookHandler } from '../sources/alertmanager/ingest-alertmanager-webhook.command';
import { IngestEventsV2EventHandler } from '../sources/events-v2/ingest-events-v2-event.command';

/**
 * What PostgreSQL cannot store (NUL in `text`/`jsonb`, `\u0000` and unpaired surrogate escapes in
 * `jsonb`) in every field an alert sender fills. Senders do not fix a payload on a 400 and an on-call
 * tool must not drop a page over one character: each receiver answers 2xx, replaces each such
 * character with U+FFFD, processes the alert, and says so in the ledger.
 */
const UNSTORABLE: [string, string][] = [
  ['NUL', '\u0000'],
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', '\udc00'],
];

/** `text` with each unstorable character of the test in it, as the receiver should store it. */
const stored = (text: string) => text.replaceAll('\u0000', '\uFFFD').replace(/[\ud800-\udfff]/g, '\uFFFD');

describe('Alert receivers given unstorable text', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_unstorable_text');
  });

  afterAll(async () => {
    await t.close();
  });

  const ledgerOf = async (integrationId: string) =>
    (await t.http.get(`/v1/integrations/${integrationId}/deliveries`)).body.items as {
      id: string;
      verdict: string;
      processedAt: string | null;
      error: string | null;
      reason: string | null;
      dedupKey: string | null;
      rawBody: string;
      sanitizedFields: string[];
    }[];
  const incident = async (id: string) => (await t.http.get(`/v1/incidents/${id}`)).body as { status: string; title: string };

  describe(IngestEventsV2EventHandler.name, () => {
    it.each(UNSTORABLE)('processes a trigger and its resolve with %s in every text field, keys of custom_details included', async (_name, bad) => {
      const integration = await createIntegration(t.http);
      const dedupKey = `disk${bad}full-${randomUUID()}`;
      const trigger = anEventsV2Event(integration.routingKey, {
        dedup_key: dedupKey,
        payload: {
          summary: `Disk${bad} 95% full`,
          source: `db${bad}1`,
          severity: 'critical',
          component: `pg${bad}`,
          group: `storage${bad}`,
          class: `disk${bad}`,
          custom_details: { [`mount${bad}`]: `/var${bad}/lib`, nested: { list: [`a${bad}`, 1, null] } },
        },
        links: [{ href: 'https://grafana.local/d/1', text: `dash${bad}board` }],
        client: `Prometheus${bad}`,
      });
      const sent = await t.http.post('/v2/enqueue').send(trigger);
      expect(sent.status).toBe(202);
      expect(sent.body).toMatchObject({ status: 'success', dedup_key: stored(dedupKey) });

      const incidentId = incidentIdOfAlert(integration.id, stored(dedupKey), 1);
      await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'detected', title: stored(`Disk${bad} 95% full`) }));

      const resolve = anEventsV2Event(integration.routingKey, { event_action: 'resolve', dedup_key: dedupKey, payload: undefined });
      expect((await t.http.post('/v2/enqueue').send(resolve)).status).toBe(202);
      await eventually(async () => expect((await incident(incidentId)).status).toBe('resolved'));

      const [resolved, triggered] = await ledgerOf(integration.id);
      for (const row of [triggered!, resolved!]) {
        expect(row).toMatchObject({ verdict: 'accepted', error: null, dedupKey: stored(dedupKey) });
        expect(row.processedAt).not.toBeNull();
        // The ledger keeps what was sent: the escapes are plain ASCII in the raw body.
        expect(JSON.parse(row.rawBody)).toMatchObject({ dedup_key: dedupKey });
      }
      expect(triggered!.sanitizedFields).toEqual(
        expect.arrayContaining(['dedup_key', 'payload.summary', 'payload.source', stored(`payload.custom_details.mount${bad}`), 'payload.custom_details.nested.list.0', 'links.0.text', 'client']),
      );
      expect(resolved!.sanitizedFields).toEqual(['dedup_key']);
    });

    it('processes a recorded delivery with unstorable text when it is processed again later (the recovery path re-reads the raw body)', async () => {
      const integration = await createIntegration(t.http);
      const intake = t.app.get(AlertIntakeRepository);
      const id = randomUUID();
      // As if the request died after recording it: accepted, unprocessed, lease already run out.
      const rawBody = JSON.stringify(anEventsV2Event(integration.routingKey, { dedup_key: `late\u0000${id}`, payload: { summary: 'late\ud800', source: 'x', severity: 'error' } }));
      await intake.insertAccepted({ id, integrationId: integration.id, receivedAt: new Date(), headers: {}, rawBody, eventAction: 'trigger', dedupKey: `late\uFFFD${id}` }, 0);
      const reprocessed = await t.http.post(`/v1/integrations/${integration.id}/deliveries/${id}/reprocess`);
      expect(reprocessed.status).toBe(200);
      expect(reprocessed.body).toMatchObject({ verdict: 'accepted', error: null, reason: 'triggered: opened incarnation 1' });
      await eventually(async () => expect((await incident(incidentIdOfAlert(integration.id, `late\uFFFD${id}`, 1))).title).toBe('late\uFFFD'));
    });
  });

  describe(IngestAlertmanagerWebhookHandler.name, () => {
    it.each(UNSTORABLE)('processes a firing group with %s in label keys and values, annotations and the group key', async (_name, bad) => {
      const integration = await createAlertmanagerIntegration(t.http);
      const groupKey = `{}:{alertname="Disk${bad}Full", run="${randomUUID()}"}`;
      const alert = anAlertmanagerAlert(`f${randomUUID().slice(0, 8)}`, 'firing', { [`team${bad}`]: `storage${bad}`, severity: 'critical' });
      const body = anAlertmanagerWebhook(groupKey, [{ ...alert, annotations: { summary: `Disk${bad} almost full`, [`runbook${bad}`]: 'x' } }], {
        commonLabels: { alertname: `Disk${bad}Full` },
        commonAnnotations: { summary: `Disk${bad} almost full` },
      });
      const sent = await t.http.post(`/v1/integrations/${integration.id}/alertmanager`).set('authorization', `Bearer ${integration.token}`).send(body);
      expect(sent.status).toBe(200);

      const [row] = await ledgerOf(integration.id);
      expect(row).toMatchObject({ verdict: 'accepted', error: null });
      expect(row!.processedAt).not.toBeNull();
      expect(row!.sanitizedFields).toEqual(expect.arrayContaining(['groupKey', stored(`alerts.0.labels.team${bad}`), 'alerts.0.annotations.summary', 'commonLabels.alertname']));
      // The incident is opened by the open-incident-when-alert-triggered workflow, moments later.
      await eventually(async () => {
        const incidents = await t.db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM events WHERE event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1",
          [`alert:${integration.name}`],
        );
        expect(incidents.rows[0]!.n).toBe(1);
      });
    });

    it.each(UNSTORABLE)(
      'processes %s in a secret-named label as U+FFFD, and keeps the body as sent only sealed and, for display, masked',
      async (_name, bad) => {
        const integration = await createAlertmanagerIntegration(t.http);
        const secret = `tok${bad}en-${randomBytes(8).toString('hex')}`;
        const alert = anAlertmanagerAlert(`s${randomUUID().slice(0, 8)}`, 'firing', { api_token: secret, [`team${bad}`]: 'storage' });
        const body = anAlertmanagerWebhook(`{}:{alertname="DiskFull", run="${randomUUID()}"}`, [alert]);
        const sent = await t.http.post(`/v1/integrations/${integration.id}/alertmanager`).set('authorization', `Bearer ${integration.token}`).send(body);
        expect(sent.status).toBe(200);

        const [row] = await ledgerOf(integration.id);
        expect(row).toMatchObject({ verdict: 'accepted', error: null });
        expect(row!.sanitizedFields).toEqual(expect.arrayContaining(['alerts.0.labels.api_token', stored(`alerts.0.labels.team${bad}`)]));
        // Shown: the redacted copy, valid JSON, the secret as … + its last 4 characters.
        const shown = JSON.parse(row!.rawBody) as { alerts: { labels: Record<string, string> }[] };
        expect(shown.alerts[0]!.labels.api_token).toBe(`…${secret.slice(-4)}`);

        // At rest: sealed; opened, it is the body as sent (the escapes intact), not the sanitized copy.
        const { rows } = await t.db.pool.query<{ raw_body: string; display_body: string | null }>('SELECT raw_body, display_body FROM alert_intake WHERE id = $1', [row!.id]);
        expect(isSealed(rows[0]!.raw_body)).toBe(true);
        expect(rows[0]!.raw_body).not.toContain(secret.slice(-16));
        expect(rows[0]!.display_body).toBeNull(); // the body is stored once, sealed; the shown copy is made when read
        const opened = JSON.parse(new SecretBox(TEST_ENCRYPTION_KEYS).open(rows[0]!.raw_body, rawBodyContext(row!.id))) as typeof shown;
        expect(opened.alerts[0]!.labels.api_token).toBe(secret);

        // Processed: what reached the event store has U+FFFD where the sender had the unstorable character.
        await eventually(async () => {
          const { rows: events } = await t.db.pool.query<{ data: unknown }>(`SELECT data FROM events WHERE event_type = 'AlertTriggered' AND data->>'integrationId' = $1`, [
            integration.id,
          ]);
          expect(events).toHaveLength(1);
          expect(JSON.stringify(events[0]!.data)).toContain(JSON.stringify(stored(secret)));
        });
      },
    );

    it.each(UNSTORABLE)('answers 401 to an unauthenticated delivery with %s in it and records it as rejected, not a 500', async (_name, bad) => {
      const integration = await createAlertmanagerIntegration(t.http);
      const body = anAlertmanagerWebhook(`{}:{alertname="Disk${bad}Full"}`, [anAlertmanagerAlert('f1', 'firing', { [`team${bad}`]: `storage${bad}` })]);
      const sent = await t.http.post(`/v1/integrations/${integration.id}/alertmanager`).set('authorization', 'Bearer not-the-token').send(body);
      expect(sent.status).toBe(401);

      const [row] = await ledgerOf(integration.id);
      expect(row).toMatchObject({ verdict: 'rejected', reason: expect.stringContaining('unauthenticated'), sanitizedFields: [] });
      expect(JSON.parse(row!.rawBody)).toMatchObject({ groupKey: `{}:{alertname="Disk${bad}Full"}` });
    });
  });

  describe(ReceivePagerDutyWebhookHandler.name, () => {
    it.each(UNSTORABLE)('mirrors a signed incident.triggered with %s in data.title and event.id (signature checked on the raw bytes)', async (_name, bad) => {
      const integration = await createPagerDutyIntegration(t.http);
      const captured = JSON.parse(fixtureDelivery('01-incident-triggered').body.toString('utf8')) as { event: { id: string; data: { id: string; title: string } } };
      const pagerDutyIncident = `Q${randomUUID().slice(0, 12).toUpperCase()}`;
      captured.event.id = `01HF${bad}${randomUUID().slice(0, 8)}`;
      captured.event.data.id = pagerDutyIncident;
      captured.event.data.title = `Checkout${bad} 5xx`;
      // JSON.stringify writes the escapes (\u0000, \ud800) in ASCII: the bytes PagerDuty signs.
      const response = await deliver(t.http, integration.id, signedDelivery(JSON.stringify(captured)));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ result: 'applied' });

      const incidentId = nameBasedUuid(`pagerduty:${integration.id}:${pagerDutyIncident}`);
      expect(await incident(incidentId)).toMatchObject({ status: 'detected', title: stored(`Checkout${bad} 5xx`) });
      const [row] = await ledgerOf(integration.id);
      expect(row).toMatchObject({ verdict: 'accepted', error: null, dedupKey: stored(captured.event.id) });
      expect(row!.sanitizedFields).toEqual(expect.arrayContaining(['event.id', 'event.data.title']));

      // A redelivery is the same event: deduplicated on the sanitized id.
      expect((await deliver(t.http, integration.id, signedDelivery(JSON.stringify(captured)))).body).toMatchObject({ result: 'duplicate' });
    });
  });
});
