import { randomUUID } from 'node:crypto';
import { eventually } from '../../../../../test/support/eventually';
import { DEFAULT_ALERT_INTAKE_CONFIG } from '../../config/incident-service.config';
import { alertStreamId } from '../domain/alert-stream';
import { anAlertmanagerAlert, anAlertmanagerWebhook, createAlertmanagerIntegration } from '../testing/alertmanager.testing';
import { anEventsV2Event, bootAlertTestApp, createIntegration, type AlertTestApp } from '../testing/events-v2.testing';
import { incidentIdOfAlert } from './alert-incident';
import { ExpireSilentAlertsWorker } from './expire-silent-alerts.worker';

describe(ExpireSilentAlertsWorker.name, () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_expiry', 30, undefined, { alertIntake: { ...DEFAULT_ALERT_INTAKE_CONFIG, expireAfterMs: 1000 } });
  });

  afterAll(async () => {
    await t.close();
  });

  const incident = async (id: string) => (await t.http.get(`/v1/incidents/${id}`)).body as Record<string, unknown>;
  const timeline = async (id: string) => JSON.stringify((await t.http.get(`/v1/incidents/${id}/timeline?limit=100`)).body.items);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('resolves an Events v2 alert that was never re-sent nor resolved, saying it expired, once', async () => {
    const integration = await createIntegration(t.http);
    const event = anEventsV2Event(integration.routingKey, { dedup_key: `silent-${randomUUID()}` });
    expect((await t.http.post('/v2/enqueue').send(event)).status).toBe(202);
    const incidentId = incidentIdOfAlert(integration.id, event.dedup_key as string, 1);
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'resolved', resolutionSummary: expect.stringMatching(/^Alert expired: not re-sent for 1 s/) }), 10_000);

    // Running it again (a second instance, a restart) changes nothing.
    await t.app.get(ExpireSilentAlertsWorker).expireDue();
    const resolves = await t.db.pool.query("SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND event_type = 'AlertResolved'", [
      alertStreamId(integration.id, event.dedup_key as string),
    ]);
    expect(resolves.rows[0].n).toBe(1);
  });

  it('does not expire an Events v2 alert that keeps being re-sent (absorbed as duplicates, counted a second later), and expires it once the re-sends stop', async () => {
    const integration = await createIntegration(t.http);
    const event = anEventsV2Event(integration.routingKey, { dedup_key: `re-sent-${randomUUID()}` });
    const incidentId = incidentIdOfAlert(integration.id, event.dedup_key as string, 1);
    expect((await t.http.post('/v2/enqueue').send(event)).status).toBe(202);
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'detected' }), 10_000);
    for (let i = 0; i < 10; i++) {
      await sleep(300);
      expect((await t.http.post('/v2/enqueue').send(event)).status).toBe(202);
    }
    const absorbed = await t.db.pool.query("SELECT count(*)::int AS n FROM alert_intake WHERE integration_id = $1 AND verdict = 'duplicate' AND absorbed_incarnation = 1", [integration.id]);
    expect(absorbed.rows[0].n).toBeGreaterThanOrEqual(9);
    expect(await incident(incidentId)).toMatchObject({ status: 'detected' });
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'resolved', resolutionSummary: expect.stringMatching(/^Alert expired/) }), 10_000);
  });

  it('expires the member a group re-send left out (send_resolved: false), notes it, and the group when it is no longer sent', async () => {
    const integration = await createAlertmanagerIntegration(t.http);
    const groupKey = `{}:{alertname="DiskFull", run="${randomUUID()}"}`;
    const incidentId = incidentIdOfAlert(integration.id, groupKey, 1);
    const [a, b] = [anAlertmanagerAlert('aaaa00000000000a'), anAlertmanagerAlert('bbbb00000000000b')];
    const send = (alerts: Record<string, unknown>[]) =>
      t.http.post(`/v1/integrations/${integration.id}/alertmanager`).set('authorization', `Bearer ${integration.token}`).send(anAlertmanagerWebhook(groupKey, alerts));

    expect((await send([a, b])).status).toBe(200);
    // Alertmanager keeps re-sending the group, now without b and without a resolved notice for it.
    for (let i = 0; i < 6; i++) {
      await sleep(300);
      expect((await send([a])).status).toBe(200);
    }
    await eventually(async () => expect(await timeline(incidentId)).toContain('Alert bbbb00000000000b of the group expired'), 5_000);
    expect(await incident(incidentId)).toMatchObject({ status: 'detected' });

    // Then nothing more is sent: a expires too, and with it the group. A SEV3 only the integration
    // touched needs no postmortem under the default POSTMORTEM_REQUIRED_FOR, so it is closed right after.
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'closed', resolutionSummary: expect.stringMatching(/^Alert expired/) }), 10_000);
  });
});
