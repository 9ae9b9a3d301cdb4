import { eventually } from '../../../../../test/support/eventually';
import { randomUUID } from 'node:crypto';
import { anAlertmanagerAlert, anAlertmanagerWebhook, createAlertmanagerIntegration } from '../testing/alertmanager.testing';
import { bootAlertTestApp, capturedAlertmanagerRequest, createIntegration, withConcurrency, type AlertTestApp } from '../testing/events-v2.testing';
import { incidentIdOfAlert } from './alert-incident';
import { AlertWorkflows } from './alert-workflows';

/**
 * What the alert workflows make of real-shaped alert traffic (issue 11): the right severity and service,
 * one incident per group even after a human kept it open, and few timeline notes under a storm.
 */
describe('AlertWorkflows under alert noise', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_noise');
  });

  afterAll(async () => {
    await t.close();
  });

  const postGroup = (integrationId: string, token: string, body: unknown) =>
    t.http.post(`/v1/integrations/${integrationId}/alertmanager`).set('authorization', `Bearer ${token}`).send(body as object);
  const incident = async (id: string) => (await t.http.get(`/v1/incidents/${id}`)).body as Record<string, unknown>;
  const timeline = async (id: string) => (await t.http.get(`/v1/incidents/${id}/timeline?limit=100`)).body.items as { kind: string }[];
  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.pool.query<{ n: string }>(sql, params)).rows[0].n);
  /** Every delivery processed (a storm's excess is queued for the intake worker), then every alert reaction. */
  const settle = async () => {
    await eventually(async () => expect(await count('SELECT count(*) AS n FROM alert_intake WHERE processed_at IS NULL')).toBe(0), 30_000);
    await t.app.get(AlertWorkflows).openIncidents.catchUp();
  };

  it('takes severity and service from the alert labels Alertmanager forwards through pagerduty_configs (severity "error" by default)', async () => {
    const integration = await createIntegration(t.http, { service: 'platform-team' });
    const captured = capturedAlertmanagerRequest('events-v2-trigger.json', integration.routingKey);
    const sentAsDefault = { ...captured.parsed, payload: { ...(captured.parsed.payload as object), severity: 'error' } };
    expect((await t.http.post('/v2/enqueue').send(sentAsDefault)).status).toBe(202);
    await settle();
    expect(await incident(incidentIdOfAlert(integration.id, captured.parsed.dedup_key as string, 1))).toMatchObject({ severity: 'SEV1', services: ['checkout'] });

    const warning = JSON.parse(JSON.stringify(sentAsDefault).replaceAll('severity = critical', 'severity = warning').replaceAll('service = checkout', 'team = x')) as Record<string, unknown>;
    const key = `warning-${randomUUID()}`;
    expect((await t.http.post('/v2/enqueue').send({ ...warning, dedup_key: key })).status).toBe(202);
    await settle();
    expect(await incident(incidentIdOfAlert(integration.id, key, 1))).toMatchObject({ severity: 'SEV3', services: ['platform-team'] });
  });

  it('raises a SEV3 group incident to SEV1 when a critical alert joins, with the reason, and does not lower it again', async () => {
    const integration = await createAlertmanagerIntegration(t.http);
    const groupKey = `{}:{alertname="Latency", run="${randomUUID()}"}`;
    const incidentId = incidentIdOfAlert(integration.id, groupKey, 1);
    const warning = anAlertmanagerAlert('aaaa000000000001', 'firing', { severity: 'warning' });
    const critical = anAlertmanagerAlert('bbbb000000000002', 'firing', { severity: 'critical' });
    await postGroup(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [warning]));
    await settle();
    expect(await incident(incidentId)).toMatchObject({ severity: 'SEV3' });

    await postGroup(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [warning, critical]));
    await postGroup(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [warning, { ...critical, status: 'resolved' }]));
    await settle();
    expect(await incident(incidentId)).toMatchObject({ severity: 'SEV1', status: 'detected' });
    const changes = (await timeline(incidentId)).filter((e) => e.kind === 'IncidentSeverityChanged');
    expect(changes).toHaveLength(1);
    expect(JSON.stringify(changes[0])).toContain('raised the severity from SEV3 to SEV1');
  });

  it('attaches the group firing again to the incident a human kept open, instead of opening a second one', async () => {
    const integration = await createAlertmanagerIntegration(t.http);
    const groupKey = `{}:{alertname="DiskFull", run="${randomUUID()}"}`;
    const first = incidentIdOfAlert(integration.id, groupKey, 1);
    const alert = anAlertmanagerAlert('cccc000000000003');
    await postGroup(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [alert]));
    await settle();
    expect((await t.http.post(`/v1/incidents/${first}/status`).set('x-actor', 'alice@example.com').send({ status: 'investigating' })).status).toBe(200);
    await postGroup(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [{ ...alert, status: 'resolved' }]));
    await settle();
    expect(await incident(first)).toMatchObject({ status: 'investigating' });

    await postGroup(integration.id, integration.token, anAlertmanagerWebhook(groupKey, [alert]));
    await settle();
    expect((await t.http.get(`/v1/incidents/${incidentIdOfAlert(integration.id, groupKey, 2)}`)).status).toBe(404);
    expect(await count("SELECT count(*) AS n FROM events WHERE event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1", [`alert:${integration.name}`])).toBe(1);
    expect(JSON.stringify((await timeline(first)).at(-1))).toContain('firing again (incarnation 2)');
  });

  it('turns a 300-alert storm in 20 groups into 20 incidents with at most one membership note each, all resolved', async () => {
    const integration = await createAlertmanagerIntegration(t.http, { name: `storm-${randomUUID().slice(0, 8)}` });
    const run = randomUUID();
    const groups = Array.from({ length: 20 }, (_, g) => ({
      key: `{}:{alertname="Storm${g}", run="${run}"}`,
      alerts: Array.from({ length: 15 }, (_, i) => anAlertmanagerAlert(`${g.toString(16).padStart(4, '0')}${i.toString(16).padStart(12, '0')}`, 'firing', { severity: i === 14 ? 'critical' : 'warning' })),
    }));
    // As Alertmanager sends a growing group: 5 firing, then 10, then 15 (every delivery is the whole group),
    // then 5 resolved and 10 firing, then all 15 resolved.
    const resolved = (a: Record<string, unknown>) => ({ ...a, status: 'resolved' });
    const phases = [
      (a: Record<string, unknown>[]) => a.slice(0, 5),
      (a: Record<string, unknown>[]) => a.slice(0, 10),
      (a: Record<string, unknown>[]) => a,
      (a: Record<string, unknown>[]) => [...a.slice(0, 5).map(resolved), ...a.slice(5)],
      (a: Record<string, unknown>[]) => a.map(resolved),
    ];
    for (const phase of phases) {
      const statuses = await withConcurrency(
        8,
        groups.map((g) => async () => (await postGroup(integration.id, integration.token, anAlertmanagerWebhook(g.key, phase(g.alerts)))).status),
      );
      expect(statuses).toEqual(Array(20).fill(200));
    }
    await settle();

    const incidentIds = groups.map((g) => incidentIdOfAlert(integration.id, g.key, 1));
    const perIncident = await Promise.all(incidentIds.map(async (id) => (await timeline(id)).map((e) => e.kind)));
    const notes = perIncident.map((kinds) => kinds.filter((k) => k === 'TimelineNoteAdded').length);
    const declared = await count("SELECT count(*) AS n FROM events WHERE event_type = 'IncidentDeclared' AND data->>'detectionSource' = $1", [`alert:${integration.name}`]);
    const resolvedCount = (await Promise.all(incidentIds.map(incident))).filter((i) => i.status === 'resolved').length;
    const incidentEvents = perIncident.reduce((n, kinds) => n + kinds.length, 0);
    console.log(
      `alert storm, 300 alerts in 20 groups: ${declared} incidents, ${notes.reduce((a, b) => a + b, 0)} timeline notes (max ${Math.max(...notes)} per incident), ` +
        `${incidentEvents} incident events (= notifications of a rule matching every event), ${resolvedCount} resolved`,
    );
    expect(declared).toBe(20);
    expect(Math.max(...notes)).toBeLessThanOrEqual(1);
    expect(resolvedCount).toBe(20);
    // Each incident: declared, raised to SEV1 when the critical alert joined, one membership note, resolved.
    expect(perIncident.every((kinds) => kinds.length <= 4)).toBe(true);
    expect(await incident(incidentIds[0])).toMatchObject({ severity: 'SEV1', resolutionSummary: expect.stringMatching(/^All 15 alerts of the group resolved/) });
  }, 120_000);
});
