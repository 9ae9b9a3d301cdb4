import { api } from '../../../../../test/support/test-credentials';
import { TOPICS, type IncidentResolvedV1, type IntegrationEvent } from '@fireline/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { eventually } from '../../../../../test/support/eventually';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/test-database';
import {
  anIncidentAcknowledged,
  anIncidentDeclared,
  anIncidentNoteAdded,
  anIncidentReopened,
  anIncidentResolved,
  anIncidentRoleAssigned,
  anIncidentSeverityChanged,
  anIncidentStatusChanged,
  anIncidentStatusUpdatePosted,
} from '../testing/incident-events.factory';
import { createPostmortemTestApp, type PostmortemTestApp } from '../testing/postmortem-test-app';
import { DraftPostmortemWhenIncidentResolvedWorkflow } from './draft-postmortem-when-incident-resolved.workflow';
import { postmortemIdForIncident } from './postmortem-identity';

describe(DraftPostmortemWhenIncidentResolvedWorkflow.name, () => {
  let db: TestDatabase;
  let service: PostmortemTestApp;
  let app: NestFastifyApplication;
  let published: IntegrationEvent[];

  beforeAll(async () => {
    db = await createTestDatabase('postmortem_workflow');
    service = await createPostmortemTestApp(db.url, db.pool);
    app = service.app;
    published = service.listen(TOPICS.postmortems);
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const http = () => api(app);
  const publish = (events: IntegrationEvent[]) => service.transport.publish(TOPICS.incidents, events);

  /** A full incident, declared 10:00, resolved 11:30 (90 minutes). Events deliberately out of time order. */
  function anIncidentLifecycle(incidentId = randomUUID()) {
    const at = (minute: number) => new Date(Date.UTC(2025, 2, 1, 10, minute)).toISOString();
    const incident = { title: 'Checkout errors', severity: 'SEV2' as const, services: ['checkout'], declaredAt: at(0) };
    const o = (minute: number, actor = 'bob@example.com') => ({ incidentId, occurredAt: at(minute), actor, incident });
    const events = [
      anIncidentDeclared(o(0, 'integration:alertmanager')),
      anIncidentAcknowledged(o(2)),
      anIncidentRoleAssigned(o(3), { role: 'incident_commander', assignee: 'dana@example.com', previousAssignee: null }),
      anIncidentStatusChanged(o(5), { from: 'detected', to: 'investigating', note: null }),
      anIncidentSeverityChanged(o(7, 'dana@example.com'), { from: 'SEV3', to: 'SEV2', reason: 'More customers affected' }),
      anIncidentNoteAdded(o(20), 'Errors started with deploy 4711'),
      anIncidentStatusChanged(o(25), { from: 'investigating', to: 'identified', note: 'Bad deploy' }),
      anIncidentStatusUpdatePosted(o(30), { audience: 'external', message: 'We have identified the cause' }),
      anIncidentStatusChanged(o(40), { from: 'identified', to: 'mitigating', note: 'Rolling back' }),
      anIncidentResolved({ ...o(90, 'dana@example.com'), incident: { ...incident, severity: 'SEV2' } }, 'Rolled back deploy 4711'),
    ];
    return { incidentId, events, postmortemId: postmortemIdForIncident(incidentId) };
  }

  async function summariesOf(incidentId: string): Promise<{ id: string; status: string }[]> {
    const response = await http().get(`/v1/postmortems?incidentId=${incidentId}`);
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    return response.body.items;
  }

  async function eventuallyDrafted(incidentId: string): Promise<string> {
    const [summary] = await eventually(async () => {
      const rows = await summariesOf(incidentId);
      expect(rows).toHaveLength(1);
      return rows;
    });
    return summary.id;
  }

  it('drafts exactly one postmortem with the timeline in order, due 48 h after resolution', async () => {
    const { incidentId, events, postmortemId } = anIncidentLifecycle();
    // Out of order delivery of the pre-resolution events: the timeline is ordered by occurrence.
    const [declared, acknowledged, ...rest] = events;
    await publish([acknowledged, declared, ...rest]);

    expect(await eventuallyDrafted(incidentId)).toBe(postmortemId);
    const response = await http().get(`/v1/postmortems/${postmortemId}`);
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe('"1"');
    expect(response.body).toMatchObject({
      id: postmortemId,
      incidentId,
      status: 'draft',
      title: 'Postmortem: Checkout errors',
      summary: 'Rolled back deploy 4711',
      impact: { severity: 'SEV2', services: ['checkout'], durationMinutes: 90, description: '' },
      rootCause: '',
      contributingFactors: [],
      whatWentWell: [],
      whatWentWrong: [],
      whereWeGotLucky: [],
      actionItems: [],
      dueAt: '2025-03-03T11:30:00.000Z',
      updatedBy: 'system:postmortem-service',
      version: 1,
    });
    expect(response.body.timeline.map((entry: { at: string; type: string; summary: string; actor: string }) => [entry.at.slice(11, 16), entry.type, entry.summary])).toEqual([
      ['10:00', 'IncidentDeclared', 'SEV2 incident declared affecting checkout: Checkout errors (detected by alert:checkout-5xx)'],
      ['10:02', 'IncidentAcknowledged', 'Incident acknowledged'],
      ['10:03', 'IncidentRoleAssigned', 'Incident commander assigned to dana@example.com'],
      ['10:05', 'IncidentStatusChanged', 'Status changed from detected to investigating'],
      ['10:07', 'IncidentSeverityChanged', 'Severity changed from SEV3 to SEV2: More customers affected'],
      ['10:20', 'IncidentNoteAdded', 'Note added: Errors started with deploy 4711'],
      ['10:25', 'IncidentStatusChanged', 'Status changed from investigating to identified: Bad deploy'],
      ['10:30', 'IncidentStatusUpdatePosted', 'External status update posted: We have identified the cause'],
      ['10:40', 'IncidentStatusChanged', 'Status changed from identified to mitigating: Rolling back'],
      ['11:30', 'IncidentResolved', 'Incident resolved: Rolled back deploy 4711'],
    ]);
    expect(response.body.timeline[0].actor).toBe('integration:alertmanager');

    const rows = await db.pool.query('SELECT type FROM incident_timeline_entries WHERE incident_id = $1', [incidentId]);
    expect(rows.rowCount).toBe(events.length);

    const drafted = await eventually(() => {
      const found = published.filter((event) => event.type === 'PostmortemDrafted' && event.streamId === `postmortem-${postmortemId}`);
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(drafted.data).toEqual({ postmortemId, incidentId, actor: 'system:postmortem-service', title: 'Postmortem: Checkout errors', dueAt: '2025-03-03T11:30:00.000Z' });
  });

  it('drafts nothing for a resolution incident-service marked "postmortem not required", twice delivered, but records it on the timeline', async () => {
    const { incidentId, events, postmortemId } = anIncidentLifecycle();
    const resolved = events.at(-1) as IncidentResolvedV1;
    const notRequired: IncidentResolvedV1 = { ...resolved, data: { ...resolved.data, postmortem: { required: false, reason: 'not required: SEV4, declared and resolved by integration:x with no human action (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' } } };
    await publish([...events.slice(0, -1), notRequired]);
    await publish([notRequired]);
    await eventually(async () => {
      const rows = await db.pool.query("SELECT count(*)::int AS n FROM incident_timeline_entries WHERE incident_id = $1 AND type = 'IncidentResolved'", [incidentId]);
      expect(rows.rows[0].n).toBe(1);
    });
    const stored = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`postmortem-${postmortemId}`]);
    expect(stored.rows[0].n).toBe(0);
    expect(await summariesOf(incidentId)).toEqual([]);
  });

  it('creates no duplicate when the same events are delivered again', async () => {
    const { incidentId, events, postmortemId } = anIncidentLifecycle();
    await publish(events);
    await eventuallyDrafted(incidentId);

    await publish(events);
    await publish([events[events.length - 1]]);

    expect(await summariesOf(incidentId)).toHaveLength(1);
    const response = await http().get(`/v1/postmortems/${postmortemId}`);
    expect(response.body.version).toBe(1);
    expect(response.body.timeline).toHaveLength(events.length);
    const stored = await db.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [`postmortem-${postmortemId}`]);
    expect(stored.rows[0].n).toBe(1);
    const timeline = await db.pool.query('SELECT count(*)::int AS n FROM incident_timeline_entries WHERE incident_id = $1', [incidentId]);
    expect(timeline.rows[0].n).toBe(events.length);
  });

  it('drafts one postmortem when two resolutions of the incident arrive at the same time', async () => {
    const { incidentId, events, postmortemId } = anIncidentLifecycle();
    const declared = events[0];
    await publish([declared]);
    const resolvedA = anIncidentResolved({ incidentId, occurredAt: '2025-03-01T11:00:00.000Z', incident: { declaredAt: declared.data.incident.declaredAt } }, 'A');
    const resolvedB = anIncidentResolved({ incidentId, occurredAt: '2025-03-01T11:01:00.000Z', incident: { declaredAt: declared.data.incident.declaredAt } }, 'B');

    await Promise.all([publish([resolvedA]), publish([resolvedB])]);

    await eventuallyDrafted(incidentId);
    const response = await http().get(`/v1/postmortems/${postmortemId}`);
    expect(response.body.timeline.map((entry: { eventId: string }) => entry.eventId)).toEqual([declared.eventId, resolvedA.eventId, resolvedB.eventId]);
    const dead = await db.pool.query('SELECT count(*)::int AS n FROM dead_letters WHERE event_id = ANY($1::uuid[])', [[resolvedA.eventId, resolvedB.eventId]]);
    expect(dead.rows[0].n).toBe(0);
  });

  it('appends the new timeline entries to the draft when the incident is reopened and resolved again', async () => {
    const { incidentId, events, postmortemId } = anIncidentLifecycle();
    await publish(events);
    await eventuallyDrafted(incidentId);

    const incident = events[0].data.incident;
    const reopened = anIncidentReopened({ incidentId, occurredAt: '2025-03-01T12:00:00.000Z', incident }, 'Errors are back');
    const resolvedAgain = anIncidentResolved({ incidentId, occurredAt: '2025-03-01T12:30:00.000Z', incident }, 'Disabled the feature flag');
    await publish([reopened, resolvedAgain]);

    const response = await http().get(`/v1/postmortems/${postmortemId}`);
    expect(response.body.version).toBe(2);
    expect(response.body.timeline.slice(-3).map((entry: { type: string }) => entry.type)).toEqual(['IncidentResolved', 'IncidentReopened', 'IncidentResolved']);
    expect(response.body.summary).toBe('Rolled back deploy 4711');
    expect(await summariesOf(incidentId)).toHaveLength(1);
  });

  it('acknowledges unknown event types and dead-letters malformed incident events', async () => {
    const unknown = { ...anIncidentAcknowledged(), type: 'IncidentTeleported' } as unknown as IntegrationEvent;
    const malformed = anIncidentResolved({ incidentId: 'not-a-uuid' });
    await publish([unknown, malformed]);

    const inbox = await db.pool.query('SELECT event_id::text AS id FROM inbox WHERE event_id = $1', [unknown.eventId]);
    expect(inbox.rowCount).toBe(1);
    const dead = await db.pool.query('SELECT event_id::text AS id, attempts FROM dead_letters WHERE event_id = ANY($1::uuid[])', [[unknown.eventId, malformed.eventId]]);
    expect(dead.rows).toEqual([{ id: malformed.eventId, attempts: 1 }]);
  });
});
