import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { eventually } from '../../../../../../test/support/eventually';
import { alertStreamId } from '../../domain/alert-stream';
import { AlertIntakeRepository } from '../../ledger/alert-intake.repository';
import {
  anAlertmanagerAlert,
  anAlertmanagerWebhook,
  capturedAlertmanagerWebhook,
  createAlertmanagerIntegration,
} from '../../testing/alertmanager.testing';
import { bootAlertTestApp, createIntegration, type AlertTestApp } from '../../testing/events-v2.testing';
import { AlertWorkflows } from '../../workflows/alert-workflows';
import { incidentIdOfAlert } from '../../workflows/alert-incident';
import { AlertmanagerHttpController } from './alertmanager.http.controller';

describe(AlertmanagerHttpController.name, () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_alertmanager');
  });

  afterAll(async () => {
    await t.close();
  });

  const post = (integrationId: string, token: string | null, body: unknown, headers: Record<string, string> = {}) => {
    // As Alertmanager sends it: its own token or none, never the harness's API key.
    const req = request(t.app.getHttpServer()).post(`/v1/integrations/${integrationId}/alertmanager`).set({ 'content-type': 'application/json', ...headers });
    if (token !== null) void req.set('authorization', `Bearer ${token}`);
    return req.send(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const countEvents = async (sql: string, params: unknown[]) =>
    Number((await t.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE ${sql}`, params)).rows[0].n);
  const incident = async (id: string) => (await t.http.get(`/v1/incidents/${id}`)).body as Record<string, unknown>;
  const deliveries = async (integrationId: string) =>
    (await t.http.get(`/v1/integrations/${integrationId}/deliveries?limit=100`)).body.items as Record<string, unknown>[];
  const incidentsDeclaredFor = (integrationName: string) =>
    countEvents("event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1", [`alert:${integrationName}`]);
  const allProcessed = async (integrationId: string, n: number) => {
    const ledger = await deliveries(integrationId);
    expect(ledger).toHaveLength(n);
    expect(ledger.every((d) => d.processedAt !== null && d.error === null)).toBe(true);
    return ledger;
  };

  it('opens one incident from the captured Alertmanager 0.25 firing delivery and resolves it from the captured resolved one', async () => {
    const integration = await createAlertmanagerIntegration(t.http, { name: 'prometheus-prod' });
    const firing = capturedAlertmanagerWebhook('webhook-v4-firing.json');
    const sent = await post(integration.id, integration.token, firing.body, firing.headers);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ status: 'success', deliveryId: expect.any(String) });

    const groupKey = firing.parsed.groupKey as string;
    const incidentId = incidentIdOfAlert(integration.id, groupKey, 1);
    await eventually(async () => {
      expect(await incident(incidentId)).toMatchObject({
        status: 'detected',
        title: '5xx rate above 15% on checkout',
        severity: 'SEV1',
        services: ['checkout'],
        detectionSource: 'alert:prometheus-prod',
        declaredBy: `integration:${integration.id}`,
      });
      // The group's second alert joined the open incident.
      expect(await countEvents('stream_id = $1 AND event_type = $2', [`incident-${incidentId}`, 'TimelineNoteAdded'])).toBe(1);
    });
    expect(await incidentsDeclaredFor('prometheus-prod')).toBe(1);

    const resolved = capturedAlertmanagerWebhook('webhook-v4-resolved.json');
    expect((await post(integration.id, integration.token, resolved.body, resolved.headers)).status).toBe(200);
    await eventually(async () => {
      expect(await incident(incidentId)).toMatchObject({ status: 'resolved', resolutionSummary: 'All 2 alerts of the group resolved: 5xx rate above 15% on checkout' });
    });

    const ledger = await deliveries(integration.id);
    expect(ledger.map((d) => [d.eventAction, d.dedupKey, d.verdict, d.reason])).toEqual([
      ['resolved', groupKey, 'accepted', 'group incarnation 1: 1 alert(s) resolved, all alerts resolved: resolved'],
      ['firing', groupKey, 'accepted', 'group incarnation 1: opened, 1 alert(s) joined'],
    ]);
    expect(ledger[1].headers).toMatchObject({ 'user-agent': 'Alertmanager/0.25.0', 'content-type': 'application/json' });
    expect(ledger[1].headers).toHaveProperty('authorization', '[redacted]');
    expect(JSON.stringify(ledger)).not.toContain(integration.token);
    expect(JSON.parse(ledger[1].rawBody as string)).toEqual(firing.parsed);
  });

  it('turns the same firing group re-sent 10 times concurrently into one incident and no events beyond the first delivery', async () => {
    const integration = await createAlertmanagerIntegration(t.http);
    const firing = capturedAlertmanagerWebhook('webhook-v4-firing.json', { groupKey: `{}:{storm="${randomUUID()}"}` });
    const groupKey = firing.parsed.groupKey as string;
    const streamId = alertStreamId(integration.id, groupKey);
    const incidentStream = `incident-${incidentIdOfAlert(integration.id, groupKey, 1)}`;

    const responses = await Promise.all(Array.from({ length: 10 }, () => post(integration.id, integration.token, firing.body)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    await eventually(async () => {
      await allProcessed(integration.id, 10);
      expect(await countEvents('stream_id = $1', [incidentStream])).toBe(2);
    }, 30_000);
    // Exactly what one delivery of a two-alert group causes: open (first alert) + join (second alert).
    expect(await countEvents('stream_id = $1', [streamId])).toBe(2);
    expect(await countEvents('stream_id = $1 AND event_type = $2', [streamId, 'AlertTriggered'])).toBe(1);
    expect(await countEvents('stream_id = $1 AND event_type = $2', [incidentStream, 'IncidentDeclared'])).toBe(1);
    expect(await incidentsDeclaredFor(integration.name)).toBe(1);
    const verdicts = (await deliveries(integration.id)).map((d) => d.verdict);
    expect(verdicts.filter((v) => v === 'duplicate').length).toBeGreaterThanOrEqual(8);

    // A later re-send (Alertmanager's repeat_interval) changes nothing either.
    expect((await post(integration.id, integration.token, firing.body)).status).toBe(200);
    await eventually(() => allProcessed(integration.id, 11));
    expect((await deliveries(integration.id))[0]).toMatchObject({ verdict: 'duplicate', reason: 'no change: group state already recorded (incarnation 1)' });
    expect(await countEvents('stream_id = $1', [streamId])).toBe(2);
    expect(await countEvents('stream_id = $1', [incidentStream])).toBe(2);
  }, 60_000);

  it('keeps the incident open while one of two alerts still fires, and resolves it when the second resolves, with one membership note per minute', async () => {
    const integration = await createAlertmanagerIntegration(t.http, { severityMapping: { warning: 'SEV2' } });
    const groupKey = `{}:{alertname="DiskFull", run="${randomUUID()}"}`;
    const incidentId = incidentIdOfAlert(integration.id, groupKey, 1);
    const [a, b] = ['aaaa000000000001', 'bbbb000000000002'];

    await post(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [anAlertmanagerAlert(a)]));
    await post(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [anAlertmanagerAlert(a), anAlertmanagerAlert(b)]));
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'detected', severity: 'SEV2', title: 'Disk almost full on db' }));

    await post(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [anAlertmanagerAlert(a, 'resolved'), anAlertmanagerAlert(b)]));
    // A delivery may be queued for the intake worker (after the test before, the intake can still be under
    // pressure): every delivery processed first, then every alert reaction.
    await eventually(() => allProcessed(integration.id, 3));
    await t.app.get(AlertWorkflows).openIncidents.catchUp();
    // b joining is noted; a resolving within the same minute is left to the next note (or the resolve).
    const timeline = (await t.http.get(`/v1/incidents/${incidentId}/timeline`)).body.items as { kind: string }[];
    expect(timeline.map((e) => e.kind)).toEqual(['IncidentDeclared', 'TimelineNoteAdded']);
    expect(JSON.stringify(timeline.at(-1))).toContain('1 alert started firing, 0 resolved; 2 firing now');
    expect(await incident(incidentId)).toMatchObject({ status: 'detected' });

    await post(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [anAlertmanagerAlert(a, 'resolved'), anAlertmanagerAlert(b, 'resolved')]));
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'resolved' }));
    expect(await incidentsDeclaredFor(integration.name)).toBe(1);
    expect((await deliveries(integration.id)).map((d) => d.verdict)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  });

  it('opens the incident for a missing severity label with the mapping of warning, titled by alertname without a summary', async () => {
    const integration = await createAlertmanagerIntegration(t.http, { severityMapping: { warning: 'SEV4' } });
    const groupKey = `{}:{run="${randomUUID()}"}`;
    const alert = { ...anAlertmanagerAlert('cccc000000000003'), labels: { alertname: 'NodeDown', instance: 'n1' }, annotations: {} };
    expect((await post(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [alert], { commonAnnotations: {} }))).status).toBe(200);
    await eventually(async () => expect(await incident(incidentIdOfAlert(integration.id, groupKey, 1))).toMatchObject({ severity: 'SEV4', title: 'NodeDown' }));
  });

  it('finishes a delivery left unprocessed by a crash through the worker (dispatch by integration type)', async () => {
    const integration = await createAlertmanagerIntegration(t.http);
    const groupKey = `{}:{crash="${randomUUID()}"}`;
    const intakeId = randomUUID();
    await t.app.get(AlertIntakeRepository).insertAccepted(
      {
        id: intakeId,
        integrationId: integration.id,
        receivedAt: new Date(),
        headers: {},
        rawBody: JSON.stringify(anAlertmanagerWebhook(groupKey, [anAlertmanagerAlert('dddd000000000004')])),
        eventAction: 'firing',
        dedupKey: groupKey,
      },
      0,
    );
    await eventually(async () => expect(await incident(incidentIdOfAlert(integration.id, groupKey, 1))).toMatchObject({ status: 'detected' }));
    expect(await t.app.get(AlertIntakeRepository).findById(intakeId)).toMatchObject({ verdict: 'accepted', error: null, processedAt: expect.any(Date) });
  });

  describe('refusals (problem+json, never 500, nothing processed)', () => {
    let integration: { id: string; name: string; token: string };
    const firing = () => capturedAlertmanagerWebhook('webhook-v4-firing.json').body;

    beforeAll(async () => {
      integration = await createAlertmanagerIntegration(t.http);
    });

    const expectProblem = (response: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status, code });
    };

    it('refuses a wrong or missing bearer token with 401, processes nothing, and records the refusal without the token', async () => {
      const other = await createAlertmanagerIntegration(t.http);
      const before = (await deliveries(integration.id)).length;
      const eventsBefore = (await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;
      const wrong = await post(integration.id, 'flt_not-the-token', firing());
      expectProblem(wrong, 401, 'HTTP.401');
      expect(wrong.headers['www-authenticate']).toBe('Bearer');
      expectProblem(await post(integration.id, null, firing()), 401, 'HTTP.401');
      expectProblem(await post(integration.id, other.token, firing()), 401, 'HTTP.401');
      expectProblem(await post(integration.id, null, firing(), { authorization: `Basic ${integration.token}` }), 401, 'HTTP.401');
      // Recorded (under the per-window cap, see unauthenticated-intake.int-spec.ts) so that an operator sees what a misconfigured sender sends.
      const ledger = await deliveries(integration.id);
      expect(ledger).toHaveLength(before + 4);
      const refusals = ledger.slice(0, 4); // newest first
      expect(refusals.map((d) => [d.verdict, d.reason])).toEqual([
        ['rejected', 'unauthenticated: no Authorization: Bearer token'],
        ['rejected', 'unauthenticated: the bearer token is not this integration’s'],
        ['rejected', 'unauthenticated: no Authorization: Bearer token'],
        ['rejected', 'unauthenticated: the bearer token is not this integration’s'],
      ]);
      expect(refusals.map((d) => (d.headers as Record<string, unknown>).authorization)).toEqual(['[redacted]', '[redacted]', undefined, '[redacted]']);
      expect(JSON.stringify(await deliveries(integration.id))).not.toContain(integration.token);
      expect(JSON.stringify(await deliveries(integration.id))).not.toContain(other.token);
      expect((await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(eventsBefore);
    });

    it('answers 404 for an unknown integration, a deleted one, and an integration of another type', async () => {
      expectProblem(await post(randomUUID(), integration.token, firing()), 404, 'INTEGRATION.NOT_FOUND');
      const eventsV2 = await createIntegration(t.http);
      expectProblem(await post(eventsV2.id, integration.token, firing()), 404, 'INTEGRATION.NOT_FOUND');
      const doomed = await createAlertmanagerIntegration(t.http);
      expect((await t.http.delete(`/v1/integrations/${doomed.id}`)).status).toBe(204);
      expectProblem(await post(doomed.id, doomed.token, firing()), 404, 'INTEGRATION.NOT_FOUND');
      expect(await deliveries(doomed.id)).toHaveLength(0);
    });

    it.each([
      ['malformed JSON', '{"version": "4",', 'REQUEST.MALFORMED_JSON'],
      ['an empty body', '', 'REQUEST.EMPTY_JSON_BODY'],
    ])('answers %s with 400', async (_case, raw, code) => {
      expectProblem(await post(integration.id, integration.token, raw), 400, code);
    });

    it('answers an oversize body with 413', async () => {
      const huge = anAlertmanagerWebhook('{}:{}', [{ ...anAlertmanagerAlert('eeee'), annotations: { description: 'x'.repeat(80 * 1024) } }]);
      expectProblem(await post(integration.id, integration.token, huge), 413, 'REQUEST.BODY_TOO_LARGE');
    });

    it.each([
      ['another payload version', { version: '3' }, 'version'],
      ['no groupKey', { groupKey: '' }, 'groupKey'],
      ['no alerts', { alerts: [] }, 'alerts'],
      ['an alert without fingerprint', { alerts: [{ ...anAlertmanagerAlert('x'), fingerprint: undefined }] }, 'alerts[0].fingerprint'],
      ['an alert with an unknown status', { alerts: [anAlertmanagerAlert('x', 'pending' as never)] }, 'alerts[0].status'],
      ['a label that is not a string', { alerts: [{ ...anAlertmanagerAlert('x'), labels: { severity: 1 } }] }, 'alerts[0].labels.severity'],
    ])('refuses %s with 400 and records it as rejected', async (_case, overrides, field) => {
      const response = await post(integration.id, integration.token, anAlertmanagerWebhook(`{}:{bad="${randomUUID()}"}`, [anAlertmanagerAlert('x')], overrides));
      expectProblem(response, 400, 'ALERTMANAGER.INVALID_WEBHOOK');
      expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
      const [latest] = await deliveries(integration.id);
      expect(latest).toMatchObject({ id: response.body.deliveryId, verdict: 'rejected', reason: expect.stringContaining(field) });
    });

    it('refuses a JSON array body with 400', async () => {
      expectProblem(await post(integration.id, integration.token, '[1,2]'), 400, 'ALERTMANAGER.INVALID_WEBHOOK');
    });
  });
});
