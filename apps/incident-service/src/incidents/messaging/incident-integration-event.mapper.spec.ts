import { INCIDENT_INTEGRATION_EVENT_TYPES_V1, type IncidentIntegrationEventV1 } from '@fireline/contracts';
import { foldEvents } from '@fireline/event-store/decider';
import { incidentDecider } from '../domain/incident.decider';
import type { IncidentEvent } from '../domain/incident.events';
import { INCIDENT_EVENT_TYPES } from '../domain/incident.events';
import type { IncidentState } from '../domain/incident.state';
import {
  aRecordedIncidentEvent,
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
import {
  INCIDENT_INTEGRATION_EVENT_TYPE_BY_EVENT_TYPE,
  toIncidentIntegrationEvent,
  toIncidentSnapshotV1,
} from './incident-integration-event.mapper';

const at = (minutes: number) => minutesAfterTestNow(minutes).toISOString();
const EVENT_ID = '5f7c2c1e-8d0b-4a57-9a35-1c9e2b7d4e10';
const declared = anIncidentDeclared({ severity: 'SEV1', services: ['checkout'] });

/** Maps `event` as the last event of `history + event`, with the state folded through it. */
function mapAfter(history: IncidentEvent[], event: IncidentEvent): IncidentIntegrationEventV1 {
  const stateAfter = foldEvents(incidentDecider, [...history, event]);
  const recorded = aRecordedIncidentEvent(event, {
    eventId: EVENT_ID,
    streamId: 'incident-inc-1',
    version: history.length + 1,
    metadata: { correlationId: 'req-42', causationId: 'cmd-7', actor: event.data.by },
  });
  return toIncidentIntegrationEvent(recorded, stateAfter);
}

function envelope(type: IncidentIntegrationEventV1['type'], occurredAt: string) {
  return { eventId: EVENT_ID, type, version: 1, occurredAt, correlationId: 'req-42', causationId: 'cmd-7', streamId: 'incident-inc-1' };
}

function snapshot(status: string, overrides: Record<string, unknown> = {}) {
  return {
    id: 'inc-1',
    title: 'Checkout returns 500',
    severity: 'SEV1',
    status,
    services: ['checkout'],
    declaredAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

describe(toIncidentIntegrationEvent.name, () => {
  it('maps IncidentDeclared', () => {
    expect(mapAfter([], declared)).toEqual({
      ...envelope('IncidentDeclared', '2025-03-01T10:00:00.000Z'),
      data: {
        incidentId: 'inc-1',
        incident: snapshot('detected'),
        actor: 'alice@example.com',
        description: 'Error rate on /checkout above 20%',
        detectionSource: 'alert:datadog',
      },
    });
  });

  it('maps IncidentAcknowledged', () => {
    expect(mapAfter([declared], anIncidentAcknowledged({ at: at(2), by: 'bob@example.com' }))).toEqual({
      ...envelope('IncidentAcknowledged', at(2)),
      data: { incidentId: 'inc-1', incident: snapshot('detected'), actor: 'bob@example.com' },
    });
  });

  it('maps IncidentStatusChanged, with the snapshot in the new status', () => {
    const event = anIncidentStatusChanged({ from: 'detected', to: 'identified', note: 'bad deploy', at: at(5) });
    expect(mapAfter([declared], event)).toEqual({
      ...envelope('IncidentStatusChanged', at(5)),
      data: { incidentId: 'inc-1', incident: snapshot('identified'), actor: 'alice@example.com', from: 'detected', to: 'identified', note: 'bad deploy' },
    });
  });

  it('maps IncidentStatusChanged without a note to note null', () => {
    const event = anIncidentStatusChanged({ from: 'detected', to: 'investigating', note: null });
    expect(mapAfter([declared], event).data).toMatchObject({ note: null });
  });

  it('maps IncidentSeverityChanged, with the snapshot at the new severity', () => {
    const event = anIncidentSeverityChanged({ from: 'SEV1', to: 'SEV3', reason: 'one region only', at: at(6) });
    expect(mapAfter([declared], event)).toEqual({
      ...envelope('IncidentSeverityChanged', at(6)),
      data: {
        incidentId: 'inc-1',
        incident: snapshot('detected', { severity: 'SEV3' }),
        actor: 'alice@example.com',
        from: 'SEV1',
        to: 'SEV3',
        reason: 'one region only',
      },
    });
  });

  it('maps IncidentRoleAssigned', () => {
    const event = anIncidentRoleAssigned({ role: 'technical_lead', assignee: 'carol@example.com', previousAssignee: 'bob@example.com', at: at(7) });
    expect(mapAfter([declared], event)).toEqual({
      ...envelope('IncidentRoleAssigned', at(7)),
      data: {
        incidentId: 'inc-1',
        incident: snapshot('detected'),
        actor: 'alice@example.com',
        role: 'technical_lead',
        assignee: 'carol@example.com',
        previousAssignee: 'bob@example.com',
      },
    });
  });

  it('maps TimelineNoteAdded to IncidentNoteAdded', () => {
    const event = aTimelineNoteAdded({ noteId: 'note-3', text: 'Paged the DBA', at: at(8) });
    expect(mapAfter([declared], event)).toEqual({
      ...envelope('IncidentNoteAdded', at(8)),
      data: { incidentId: 'inc-1', incident: snapshot('detected'), actor: 'alice@example.com', noteId: 'note-3', text: 'Paged the DBA' },
    });
  });

  it('marks the notes an alert integration writes about its alerts as alert churn, and nothing else', () => {
    const churn = aTimelineNoteAdded({ noteId: 'alert-membership:1:4', by: 'integration:int-1', at: at(8) });
    expect(mapAfter([declared], churn).data).toMatchObject({ kind: 'alert_churn', noteId: 'alert-membership:1:4' });
    expect(mapAfter([declared], aTimelineNoteAdded({ noteId: 'alert:evt-1', by: 'integration:int-1', at: at(8) })).data).toMatchObject({ kind: 'alert_churn' });
    expect(mapAfter([declared], aTimelineNoteAdded({ noteId: 'alert-by-hand', by: 'alice@example.com', at: at(8) })).data).not.toHaveProperty('kind');
    expect(mapAfter([declared], aTimelineNoteAdded({ noteId: 'note-9', by: 'integration:int-1', at: at(8) })).data).not.toHaveProperty('kind');
  });

  it('maps StatusUpdatePosted to IncidentStatusUpdatePosted', () => {
    const event = aStatusUpdatePosted({ updateId: 'update-2', audience: 'internal', message: 'Failover started', at: at(9) });
    expect(mapAfter([declared], event)).toEqual({
      ...envelope('IncidentStatusUpdatePosted', at(9)),
      data: {
        incidentId: 'inc-1',
        incident: snapshot('detected'),
        actor: 'alice@example.com',
        updateId: 'update-2',
        audience: 'internal',
        message: 'Failover started',
      },
    });
  });

  it('maps IncidentResolved', () => {
    const event = anIncidentResolved({ summary: 'rolled back', at: at(30) });
    expect(mapAfter([declared], event)).toEqual({
      ...envelope('IncidentResolved', at(30)),
      data: { incidentId: 'inc-1', incident: snapshot('resolved'), actor: 'alice@example.com', summary: 'rolled back' },
    });
  });

  it('maps the postmortem requirement of IncidentResolved, and the reason of IncidentClosed, when the events carry them', () => {
    const postmortem = { required: false, reason: 'not required: SEV4, declared and resolved by integration:x with no human action (POSTMORTEM_REQUIRED_FOR=SEV1,SEV2,human)' };
    const resolvedWithPolicy = anIncidentResolved({ summary: 'Alert resolved', at: at(30), postmortem });
    expect(mapAfter([declared], resolvedWithPolicy)).toEqual({
      ...envelope('IncidentResolved', at(30)),
      data: { incidentId: 'inc-1', incident: snapshot('resolved'), actor: 'alice@example.com', summary: 'Alert resolved', postmortem },
    });
    const reason = { code: 'postmortem_not_required' as const, text: `postmortem ${postmortem.reason}` };
    expect(mapAfter([declared, resolvedWithPolicy], anIncidentClosed({ at: at(30), by: 'system:incident-service', reason }))).toEqual({
      ...envelope('IncidentClosed', at(30)),
      data: { incidentId: 'inc-1', incident: snapshot('closed'), actor: 'system:incident-service', reason },
    });
  });

  it('maps IncidentReopened, with the snapshot back in investigating', () => {
    const event = anIncidentReopened({ reason: 'errors are back', at: at(40) });
    expect(mapAfter([declared, anIncidentResolved({ at: at(30) })], event)).toEqual({
      ...envelope('IncidentReopened', at(40)),
      data: { incidentId: 'inc-1', incident: snapshot('investigating'), actor: 'alice@example.com', reason: 'errors are back' },
    });
  });

  it('maps IncidentClosed', () => {
    const event = anIncidentClosed({ at: at(90), by: 'carol@example.com' });
    expect(mapAfter([declared, anIncidentResolved({ at: at(30) })], event)).toEqual({
      ...envelope('IncidentClosed', at(90)),
      data: { incidentId: 'inc-1', incident: snapshot('closed'), actor: 'carol@example.com' },
    });
  });

  it('defaults the correlation id to the event id and the causation id to null', () => {
    const recorded = aRecordedIncidentEvent(declared, { eventId: EVENT_ID, metadata: {} });
    const mapped = toIncidentIntegrationEvent(recorded, foldEvents(incidentDecider, [declared]));
    expect(mapped).toMatchObject({ correlationId: EVENT_ID, causationId: null });
  });

  it('takes occurredAt from the event, not from when it was recorded', () => {
    const recorded = aRecordedIncidentEvent(declared, { recordedAt: new Date('2030-01-01T00:00:00.000Z'), metadata: { occurredAt: 'ignored' } });
    expect(toIncidentIntegrationEvent(recorded, foldEvents(incidentDecider, [declared])).occurredAt).toBe('2025-03-01T10:00:00.000Z');
  });

  it('does not share the services array with the state', () => {
    const state = foldEvents(incidentDecider, [declared]);
    const mapped = toIncidentIntegrationEvent(aRecordedIncidentEvent(declared), state);
    mapped.data.incident.services.push('leak');
    expect(state).toMatchObject({ services: ['checkout'] });
  });

  it('publishes every stored event type under a v1 contract type', () => {
    expect(INCIDENT_EVENT_TYPES.map((type) => INCIDENT_INTEGRATION_EVENT_TYPE_BY_EVENT_TYPE[type]).sort()).toEqual(
      [...INCIDENT_INTEGRATION_EVENT_TYPES_V1].sort(),
    );
  });

  it('rejects mapping against a state in which the incident does not exist', () => {
    const none: IncidentState = { status: 'none' };
    expect(() => toIncidentIntegrationEvent(aRecordedIncidentEvent(declared), none)).toThrow(/not incident inc-1/);
  });

  it('rejects mapping against the state of another incident', () => {
    const other = foldEvents(incidentDecider, [anIncidentDeclared({ incidentId: 'inc-2' })]);
    expect(() => toIncidentIntegrationEvent(aRecordedIncidentEvent(declared), other)).toThrow(/not incident inc-1/);
  });
});

describe(toIncidentSnapshotV1.name, () => {
  it('copies the public fields of the incident only', () => {
    const state = foldEvents(incidentDecider, [declared, anIncidentAcknowledged()]);
    if (state.status === 'none') throw new Error('expected an incident');
    expect(toIncidentSnapshotV1(state)).toEqual(snapshot('detected'));
  });
});
