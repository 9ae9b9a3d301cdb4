import { randomUUID } from 'node:crypto';
import { eventually } from '../../../test/support/eventually';
import { createPlatformTestApp, type PlatformTestApp } from '../../../test/support/platform-test-app';
import { withKey } from '../../../test/support/test-credentials';
import { incidentIdOfAlert } from '../../incident-service/src/alert-intake/workflows/alert-incident';
import { anEventsV2Event, createIntegration, withConcurrency } from '../../incident-service/src/alert-intake/testing/events-v2.testing';
import { postmortemIdForIncident } from '../../postmortem-service/src/postmortems/workflows/postmortem-identity';

/**
 * Issue 11 point 8 over the composed platform (incident-service → in-process transport →
 * postmortem-service): which resolved incidents get a postmortem draft under `POSTMORTEM_REQUIRED_FOR`,
 * and that the others are closed with the reason instead.
 */
describe('Postmortem policy (incident-service and postmortem-service together)', () => {
  let t: PlatformTestApp;

  beforeAll(async () => {
    t = await createPlatformTestApp('pm_policy_default');
  });

  afterAll(async () => {
    await t?.close();
  });

  const incident = async (p: PlatformTestApp, id: string) => (await p.http.get(`/v1/incidents/${id}`)).body as Record<string, unknown>;

  /** How many of `incidentIds` have a postmortem (its stream exists in postmortem-service's store). */
  const drafts = async (p: PlatformTestApp, incidentIds: string[]) =>
    Number(
      (
        await p.postmortemDb.pool.query<{ n: string }>('SELECT count(DISTINCT stream_id) AS n FROM events WHERE stream_id = ANY($1)', [
          incidentIds.map((id) => `postmortem-${postmortemIdForIncident(id)}`),
        ])
      ).rows[0].n,
    );

  /** How many resolutions of `incidentIds` postmortem-service has consumed (it records each on its timeline copy). */
  const resolutionsSeen = async (p: PlatformTestApp, incidentIds: string[]) =>
    Number(
      (await p.postmortemDb.pool.query<{ n: string }>("SELECT count(*) AS n FROM incident_timeline_entries WHERE type = 'IncidentResolved' AND incident_id = ANY($1)", [incidentIds]))
        .rows[0].n,
    );

  /** Triggers one alert per severity in `severities` on a new integration, waits for the incidents. */
  async function triggerAlerts(p: PlatformTestApp, severities: string[], integrationOverrides: Record<string, unknown> = {}) {
    const integration = await createIntegration(p.http, integrationOverrides);
    const alerts = severities.map((severity) => anEventsV2Event(integration.routingKey, { dedup_key: `pm-policy-${randomUUID()}`, payload: { summary: `Disk full (${severity})`, source: 'db-1', severity } }));
    const statuses = await withConcurrency(8, alerts.map((alert) => async () => (await p.anonymous.post('/v2/enqueue').send(alert)).status));
    expect(statuses.every((s) => s === 202)).toBe(true);
    const incidentIds = alerts.map((alert) => incidentIdOfAlert(integration.id, alert.dedup_key as string, 1));
    await eventually(async () => {
      for (const id of incidentIds) expect(await incident(p, id)).toMatchObject({ status: 'detected' });
    }, 60_000);
    return { integration, alerts, incidentIds };
  }

  async function resolveAlerts(p: PlatformTestApp, alerts: Record<string, unknown>[]) {
    const statuses = await withConcurrency(8, alerts.map((alert) => async () => (await p.anonymous.post('/v2/enqueue').send({ ...alert, event_action: 'resolve' })).status));
    expect(statuses.every((s) => s === 202)).toBe(true);
  }

  it('closes 40 SEV3/SEV4 alert incidents that only the integration touched without a draft, and drafts SEV1, human-acknowledged and human-declared ones', async () => {
    const short = await triggerAlerts(t, Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'warning' : 'info')));
    const sev1 = await triggerAlerts(t, ['critical']);
    // `always`: the integration resolves it although a human acknowledged it first.
    const acknowledged = await triggerAlerts(t, ['warning'], { autoResolve: 'always' });
    const responder = await t.issueKey({ role: 'responder', name: 'alice' });
    expect((await withKey(t.app.getHttpServer(), responder.key).post(`/v1/incidents/${acknowledged.incidentIds[0]}/acknowledge`)).status).toBe(200);
    const declared = await withKey(t.app.getHttpServer(), responder.key).post('/v1/incidents').send({ title: 'Typo on the status page', severity: 'SEV4' });
    expect(declared.status).toBe(201);
    const humanDeclared = declared.body.id as string;

    await resolveAlerts(t, [...short.alerts, ...sev1.alerts, ...acknowledged.alerts]);
    expect((await t.http.post(`/v1/incidents/${humanDeclared}/resolve`).send({ summary: 'Fixed the typo' })).status).toBe(200);

    const all = [...short.incidentIds, ...sev1.incidentIds, ...acknowledged.incidentIds, humanDeclared];
    await eventually(async () => expect(await resolutionsSeen(t, all)).toBe(all.length), 60_000);
    const drafted = [...sev1.incidentIds, ...acknowledged.incidentIds, humanDeclared];
    await eventually(async () => expect(await drafts(t, drafted)).toBe(3), 30_000);
    const shortDrafts = await drafts(t, short.incidentIds);
    const closed = await eventually(async () => {
      const states = await Promise.all(short.incidentIds.map((id) => incident(t, id)));
      expect(states.filter((s) => s.status === 'closed')).toHaveLength(40);
      return states;
    }, 30_000).catch(async () => Promise.all(short.incidentIds.map((id) => incident(t, id))));
    console.log(`postmortem policy SEV1,SEV2,human: 40 short SEV3/SEV4 alert incidents -> ${shortDrafts} drafts, ${closed.filter((s) => s.status === 'closed').length} closed`);
    expect(shortDrafts).toBe(0);
    expect(closed.map((s) => s.status)).toEqual(Array(40).fill('closed'));

    const timeline = (await t.http.get(`/v1/incidents/${short.incidentIds[1]}/timeline`)).body.items as { kind: string; summary: string; details: { reason?: { code: string; text: string } } }[];
    const close = timeline.find((e) => e.kind === 'IncidentClosed');
    expect(close?.summary).toMatch(/^Incident closed: postmortem not required/);
    expect(close?.details.reason?.code).toBe('postmortem_not_required');
    expect(close?.details.reason?.text).toMatch(/postmortem not required: SEV4, declared and resolved by integration:\S+ with no human action \(POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human\)/);
    for (const id of drafted) expect(await incident(t, id)).toMatchObject({ status: 'resolved' });
  }, 180_000);

  it('drafts every resolved incident under POSTMORTEM_REQUIRED_FOR=all (the behaviour before the policy)', async () => {
    const all = await createPlatformTestApp('pm_policy_all', ['error'], { incident: { postmortemPolicy: ['all'] } });
    try {
      const alerts = await triggerAlerts(all, ['warning', 'info', 'info']);
      await resolveAlerts(all, alerts.alerts);
      await eventually(async () => expect(await drafts(all, alerts.incidentIds)).toBe(3), 60_000);
      for (const id of alerts.incidentIds) expect(await incident(all, id)).toMatchObject({ status: 'resolved' });
    } finally {
      await all.close();
    }
  }, 120_000);
});
