import { foldEvents } from '@fireline/event-store/decider';
import {
  aStatusUpdatePosted,
  aTimelineNoteAdded,
  anIncidentAcknowledged,
  anIncidentClosed,
  anIncidentDeclared,
  anIncidentReopened,
  anIncidentResolved,
  anIncidentRoleAssigned,
  anIncidentSeverityChanged,
  anIncidentStatusChanged,
  minutesAfterTestNow,
} from '../testing/incident.factories';
import { incidentDecider } from './incident.decider';
import type { IncidentEvent } from './incident.events';
import { evolveIncident, initialIncidentState, type Incident, type IncidentState } from './incident.state';

const at = (minutes: number) => minutesAfterTestNow(minutes).toISOString();
const declared = anIncidentDeclared();

function fold(...events: IncidentEvent[]): IncidentState {
  return foldEvents(incidentDecider, events);
}

function foldIncident(...events: IncidentEvent[]): Incident {
  const state = fold(...events);
  if (state.status === 'none') throw new Error('expected a declared incident');
  return state;
}

describe(evolveIncident.name, () => {
  it('starts from no incident', () => {
    expect(initialIncidentState).toEqual({ status: 'none' });
    expect(incidentDecider.initialState()).toBe(initialIncidentState);
  });

  it('builds the whole incident from IncidentDeclared', () => {
    expect(fold(anIncidentDeclared({ severity: 'SEV1', by: 'integration:datadog' }))).toEqual({
      status: 'detected',
      id: 'inc-1',
      title: 'Checkout returns 500',
      description: 'Error rate on /checkout above 20%',
      severity: 'SEV1',
      highestSeverity: 'SEV1',
      services: ['checkout', 'payments'],
      detectionSource: 'alert:datadog',
      declaredAt: '2025-03-01T10:00:00.000Z',
      declaredBy: 'integration:datadog',
      firstHumanActor: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolutionSummary: null,
      closedAt: null,
      roles: { incident_commander: null, technical_lead: null, communications_lead: null },
      lastStatusUpdate: { internal: null, external: null },
      noteCount: 0,
      updateCount: 0,
      noteIds: [],
      updateIds: [],
    });
  });

  it('records who acknowledged and when', () => {
    expect(fold(declared, anIncidentAcknowledged({ at: at(4), by: 'bob@example.com' }))).toMatchObject({
      status: 'detected',
      acknowledgedAt: at(4),
      acknowledgedBy: 'bob@example.com',
    });
  });

  it('keeps the first acknowledgement when a second one is folded', () => {
    const state = fold(
      declared,
      anIncidentAcknowledged({ at: at(4), by: 'bob@example.com' }),
      anIncidentAcknowledged({ at: at(9), by: 'carol@example.com' }),
    );
    expect(state).toMatchObject({ acknowledgedAt: at(4), acknowledgedBy: 'bob@example.com' });
  });

  it('takes the new status from IncidentStatusChanged', () => {
    expect(fold(declared, anIncidentStatusChanged({ from: 'detected', to: 'mitigating' }))).toMatchObject({ status: 'mitigating' });
  });

  it('takes the new severity from IncidentSeverityChanged', () => {
    expect(fold(declared, anIncidentSeverityChanged({ from: 'SEV2', to: 'SEV4' }))).toMatchObject({ severity: 'SEV4' });
  });

  it('tracks the holder of each role, the latest assignment winning', () => {
    const state = foldIncident(
      declared,
      anIncidentRoleAssigned({ role: 'incident_commander', assignee: 'bob@example.com' }),
      anIncidentRoleAssigned({ role: 'technical_lead', assignee: 'dave@example.com' }),
      anIncidentRoleAssigned({ role: 'incident_commander', assignee: 'carol@example.com', previousAssignee: 'bob@example.com' }),
    );
    expect(state.roles).toEqual({ incident_commander: 'carol@example.com', technical_lead: 'dave@example.com', communications_lead: null });
  });

  it('counts notes and remembers their ids', () => {
    const state = foldIncident(declared, aTimelineNoteAdded({ noteId: 'n-1' }), aTimelineNoteAdded({ noteId: 'n-2' }));
    expect(state).toMatchObject({ noteCount: 2, noteIds: ['n-1', 'n-2'] });
  });

  it('keeps the latest status update per audience, counts updates and remembers their ids', () => {
    const state = foldIncident(
      declared,
      aStatusUpdatePosted({ updateId: 'u-1', audience: 'external', message: 'Investigating', at: at(5) }),
      aStatusUpdatePosted({ updateId: 'u-2', audience: 'internal', message: 'DB failover started', at: at(6), by: 'bob@example.com' }),
      aStatusUpdatePosted({ updateId: 'u-3', audience: 'external', message: 'Fix rolling out', at: at(7) }),
    );
    expect(state.lastStatusUpdate).toEqual({
      internal: { updateId: 'u-2', message: 'DB failover started', at: at(6), by: 'bob@example.com' },
      external: { updateId: 'u-3', message: 'Fix rolling out', at: at(7), by: 'alice@example.com' },
    });
    expect(state).toMatchObject({ updateCount: 3, updateIds: ['u-1', 'u-2', 'u-3'] });
  });

  it('marks the incident resolved with time and summary, leaving an unacknowledged incident unacknowledged', () => {
    expect(fold(declared, anIncidentResolved({ at: at(30), summary: 'rolled back' }))).toMatchObject({
      status: 'resolved',
      resolvedAt: at(30),
      resolutionSummary: 'rolled back',
      acknowledgedAt: null,
      acknowledgedBy: null,
    });
  });

  it('puts a reopened incident back to investigating and clears the resolution', () => {
    const state = fold(declared, anIncidentAcknowledged({ at: at(2) }), anIncidentResolved({ at: at(30) }), anIncidentReopened({ at: at(40) }));
    expect(state).toMatchObject({ status: 'investigating', resolvedAt: null, resolutionSummary: null, acknowledgedAt: at(2) });
  });

  it('marks the incident closed with the time', () => {
    expect(fold(declared, anIncidentResolved({ at: at(30) }), anIncidentClosed({ at: at(90) }))).toMatchObject({
      status: 'closed',
      resolvedAt: at(30),
      closedAt: at(90),
    });
  });

  it('ignores events folded before IncidentDeclared', () => {
    expect(fold(anIncidentAcknowledged(), anIncidentResolved())).toEqual({ status: 'none' });
  });

  it('ignores a second IncidentDeclared', () => {
    expect(fold(declared, anIncidentDeclared({ title: 'Another title', severity: 'SEV4' }))).toEqual(fold(declared));
  });

  it('leaves the previous state untouched', () => {
    const before = foldIncident(declared, aTimelineNoteAdded({ noteId: 'n-1' }));
    const snapshot = structuredClone(before);
    evolveIncident(before, anIncidentRoleAssigned());
    evolveIncident(before, aStatusUpdatePosted());
    evolveIncident(before, aTimelineNoteAdded({ noteId: 'n-2' }));
    expect(before).toEqual(snapshot);
  });

  it('copies the services instead of sharing the event array', () => {
    const event = anIncidentDeclared({ services: ['checkout'] });
    const state = foldIncident(event);
    event.data.services.push('late-mutation');
    expect(state.services).toEqual(['checkout']);
  });
});
