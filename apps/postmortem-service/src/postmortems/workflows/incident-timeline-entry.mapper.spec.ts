import {
  anIncidentAcknowledged,
  anIncidentClosed,
  anIncidentDeclared,
  anIncidentNoteAdded,
  anIncidentReopened,
  anIncidentResolved,
  anIncidentRoleAssigned,
  anIncidentSeverityChanged,
  anIncidentStatusChanged,
  anIncidentStatusUpdatePosted,
} from '../testing/incident-events.factory';
import { summarizeIncidentEvent, toTimelineEntryRow } from './incident-timeline-entry.mapper';

describe(summarizeIncidentEvent.name, () => {
  it.each([
    [anIncidentDeclared(), 'SEV2 incident declared affecting checkout, payments: Checkout errors (detected by alert:checkout-5xx)'],
    [anIncidentDeclared({ incident: { services: [], severity: 'SEV1' } }), 'SEV1 incident declared: Checkout errors (detected by alert:checkout-5xx)'],
    [anIncidentAcknowledged(), 'Incident acknowledged'],
    [anIncidentStatusChanged({}, { from: 'investigating', to: 'identified', note: 'Bad deploy' }), 'Status changed from investigating to identified: Bad deploy'],
    [anIncidentStatusChanged({}, { from: 'identified', to: 'mitigating', note: null }), 'Status changed from identified to mitigating'],
    [anIncidentSeverityChanged({}, { from: 'SEV3', to: 'SEV1', reason: 'Full outage' }), 'Severity changed from SEV3 to SEV1: Full outage'],
    [anIncidentRoleAssigned({}, { role: 'technical_lead', assignee: 'erin', previousAssignee: 'frank' }), 'Technical lead assigned to erin (previously frank)'],
    [anIncidentRoleAssigned({}, { role: 'incident_commander', assignee: 'dana', previousAssignee: null }), 'Incident commander assigned to dana'],
    [anIncidentNoteAdded({}, ' Deploy 4711 suspected '), 'Note added: Deploy 4711 suspected'],
    [anIncidentStatusUpdatePosted({}, { audience: 'internal', message: 'Rollback started' }), 'Internal status update posted: Rollback started'],
    [anIncidentStatusUpdatePosted({}, { audience: 'external', message: 'Fixed' }), 'External status update posted: Fixed'],
    [anIncidentResolved({}, 'Rolled back'), 'Incident resolved: Rolled back'],
    [anIncidentResolved({}, '  '), 'Incident resolved'],
    [anIncidentReopened({}, 'Errors are back'), 'Incident reopened: Errors are back'],
    [anIncidentClosed(), 'Incident closed'],
  ])('summarizes %#: %s', (event, expected) => {
    expect(summarizeIncidentEvent(event)).toBe(expected);
  });
});

describe(toTimelineEntryRow.name, () => {
  it('keeps the event id, time, actor and the event-specific details', () => {
    const event = anIncidentSeverityChanged({ occurredAt: '2025-03-01T10:07:00.000Z', actor: 'dana' }, { from: 'SEV3', to: 'SEV1', reason: 'Outage' });
    expect(toTimelineEntryRow(event)).toEqual({
      incidentId: event.data.incidentId,
      eventId: event.eventId,
      occurredAt: new Date('2025-03-01T10:07:00.000Z'),
      type: 'IncidentSeverityChanged',
      actor: 'dana',
      summary: 'Severity changed from SEV3 to SEV1: Outage',
      details: { from: 'SEV3', to: 'SEV1', reason: 'Outage', severity: 'SEV2', status: 'investigating' },
    });
  });
});
