import { issueKeyIn, withKey } from '../../../../../test/support/test-credentials';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../../../../test/support/eventually';
import { anEventsV2Event, bootAlertTestApp, createIntegration, type AlertTestApp } from '../testing/events-v2.testing';
import { incidentIdOfAlert } from './alert-incident';

describe('AlertWorkflows with an integration’s autoResolve', () => {
  let t: AlertTestApp;

  beforeAll(async () => {
    t = await bootAlertTestApp('alerts_auto_resolve');
  });

  afterAll(async () => {
    await t.close();
  });

  const incident = async (id: string) => (await t.http.get(`/v1/incidents/${id}`)).body as Record<string, unknown>;
  const timelineKinds = async (id: string) => ((await t.http.get(`/v1/incidents/${id}/timeline`)).body.items as { kind: string }[]).map((e) => e.kind);

  /** Opens an incident from a trigger, then lets `by` (if given) take it over. */
  async function openIncident(routingKey: string, integrationId: string, takenOverBy?: { key: string }) {
    const event = anEventsV2Event(routingKey, { dedup_key: `auto-resolve-${randomUUID()}` });
    const incidentId = incidentIdOfAlert(integrationId, event.dedup_key as string, 1);
    expect((await t.http.post('/v2/enqueue').send(event)).status).toBe(202);
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'detected' }));
    if (takenOverBy) {
      expect((await withKey(t.app.getHttpServer(), takenOverBy.key).post(`/v1/incidents/${incidentId}/status`).send({ status: 'investigating' })).status).toBe(200);
    }
    return { event, incidentId };
  }

  it('never resolves the incident of a "never" integration, even untouched: only a timeline note', async () => {
    const integration = await createIntegration(t.http, { autoResolve: 'never' });
    expect(integration.body.autoResolve).toBe('never');
    const { event, incidentId } = await openIncident(integration.routingKey, integration.id);
    expect((await t.http.post('/v2/enqueue').send({ ...event, event_action: 'resolve' })).status).toBe(202);
    await eventually(async () => {
      expect(await timelineKinds(incidentId)).toEqual(['IncidentDeclared', 'TimelineNoteAdded']);
    });
    const timeline = (await t.http.get(`/v1/incidents/${incidentId}/timeline`)).body.items as unknown[];
    expect(JSON.stringify(timeline.at(-1))).toContain('set never to resolve incidents automatically');
    expect(await incident(incidentId)).toMatchObject({ status: 'detected' });
  });

  it('resolves the incident of an "always" integration although a human took it over (set by PATCH)', async () => {
    const integration = await createIntegration(t.http);
    expect(integration.body.autoResolve).toBe('unless_taken_over');
    const patched = await t.http.patch(`/v1/integrations/${integration.id}`).send({ autoResolve: 'always' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: integration.id, autoResolve: 'always', name: integration.name });

    const { event, incidentId } = await openIncident(integration.routingKey, integration.id, await issueKeyIn(t.app, { role: 'responder', name: 'alice' }));
    expect((await t.http.post('/v2/enqueue').send({ ...event, event_action: 'resolve' })).status).toBe(202);
    await eventually(async () => expect(await incident(incidentId)).toMatchObject({ status: 'resolved', resolutionSummary: 'Alert resolved: Disk 95% full on db-1' }));
    expect(await timelineKinds(incidentId)).toEqual(['IncidentDeclared', 'IncidentStatusChanged', 'IncidentResolved']);
  });
});
