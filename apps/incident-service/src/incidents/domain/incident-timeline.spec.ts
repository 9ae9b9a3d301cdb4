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
} from '../testing/incident.factories';
import type { IncidentEvent } from './incident.events';
import { toTimelineEntry } from './incident-timeline';

const meta = { eventId: 'evt-1', version: 3 };

describe(toTimelineEntry.name, () => {
  it('carries the event id, version, time, actor and kind, and the event data minus incidentId/at/by as details', () => {
    const event = anIncidentSeverityChanged({ at: '2025-03-01T10:05:00.000Z', by: 'bob@example.com' });
    expect(toTimelineEntry(event, meta)).toEqual({
      eventId: 'evt-1',
      version: 3,
      at: '2025-03-01T10:05:00.000Z',
      actor: 'bob@example.com',
      kind: 'IncidentSeverityChanged',
      summary: 'Severity changed from SEV2 to SEV1: disk full on primary',
      details: { from: 'SEV2', to: 'SEV1', reason: 'disk full on primary' },
    });
  });

  it.each<[string, IncidentEvent, string, Record<string, unknown>]>([
    [
      'a declaration with services',
      anIncidentDeclared(),
      'SEV2 incident declared: Checkout returns 500 affecting checkout, payments (source: alert:datadog)',
      {
        title: 'Checkout returns 500',
        description: 'Error rate on /checkout above 20%',
        severity: 'SEV2',
        services: ['checkout', 'payments'],
        detectionSource: 'alert:datadog',
      },
    ],
    [
      'a declaration without services',
      anIncidentDeclared({ services: [], severity: 'SEV4', detectionSource: 'manual' }),
      'SEV4 incident declared: Checkout returns 500 (source: manual)',
      { title: 'Checkout returns 500', description: 'Error rate on /checkout above 20%', severity: 'SEV4', services: [], detectionSource: 'manual' },
    ],
    ['an acknowledgement', anIncidentAcknowledged(), 'Incident acknowledged', {}],
    [
      'a status change with a note',
      anIncidentStatusChanged({ from: 'investigating', to: 'identified', note: 'bad deploy 4711' }),
      'Status changed from investigating to identified: bad deploy 4711',
      { from: 'investigating', to: 'identified', note: 'bad deploy 4711' },
    ],
    [
      'a status change without a note',
      anIncidentStatusChanged({ from: 'detected', to: 'investigating', note: null }),
      'Status changed from detected to investigating',
      { from: 'detected', to: 'investigating', note: null },
    ],
    [
      'a first role assignment',
      anIncidentRoleAssigned({ role: 'communications_lead', assignee: 'erin@example.com' }),
      'Communications lead assigned to erin@example.com',
      { role: 'communications_lead', assignee: 'erin@example.com', previousAssignee: null },
    ],
    [
      'a role reassignment',
      anIncidentRoleAssigned({ role: 'incident_commander', assignee: 'carol@example.com', previousAssignee: 'bob@example.com' }),
      'Incident commander reassigned from bob@example.com to carol@example.com',
      { role: 'incident_commander', assignee: 'carol@example.com', previousAssignee: 'bob@example.com' },
    ],
    [
      'a technical lead assignment',
      anIncidentRoleAssigned({ role: 'technical_lead', assignee: 'dave@example.com' }),
      'Technical lead assigned to dave@example.com',
      { role: 'technical_lead', assignee: 'dave@example.com', previousAssignee: null },
    ],
    ['a note', aTimelineNoteAdded(), 'Note added: Rolled back deploy 4711', { noteId: 'note-1', text: 'Rolled back deploy 4711' }],
    [
      'an external status update',
      aStatusUpdatePosted(),
      'External status update posted: We are investigating failed checkouts.',
      { updateId: 'update-1', audience: 'external', message: 'We are investigating failed checkouts.' },
    ],
    [
      'an internal status update',
      aStatusUpdatePosted({ audience: 'internal', message: 'Failover started' }),
      'Internal status update posted: Failover started',
      { updateId: 'update-1', audience: 'internal', message: 'Failover started' },
    ],
    ['a resolution', anIncidentResolved(), 'Incident resolved: Rolled back the faulty deploy', { summary: 'Rolled back the faulty deploy' }],
    ['a reopen', anIncidentReopened(), 'Incident reopened: Errors are back', { reason: 'Errors are back' }],
    ['a close', anIncidentClosed(), 'Incident closed', {}],
  ])('summarizes %s', (_case, event, summary, details) => {
    expect(toTimelineEntry(event, meta)).toMatchObject({ kind: event.type, summary, details });
    expect(toTimelineEntry(event, meta).details).toEqual(details);
  });

  it('types the details by kind', () => {
    const entry = toTimelineEntry(anIncidentResolved({ summary: 'rolled back' }), meta);
    if (entry.kind !== 'IncidentResolved') throw new Error(`unexpected kind ${entry.kind}`);
    const summary: string = entry.details.summary; // compiles only if details is narrowed
    expect(summary).toBe('rolled back');
  });

  it('collapses line breaks in free text to single spaces in the summary, keeping the text in details', () => {
    const entry = toTimelineEntry(aTimelineNoteAdded({ text: 'Paged the DBA\n\n- on call:   dave\n' }), meta);
    expect(entry.summary).toBe('Note added: Paged the DBA - on call: dave');
    expect(entry.details).toEqual({ noteId: 'note-1', text: 'Paged the DBA\n\n- on call:   dave\n' });
  });

  it('cuts long free text to 140 characters ending in an ellipsis', () => {
    const entry = toTimelineEntry(anIncidentResolved({ summary: 'a'.repeat(500) }), meta);
    expect(entry.summary).toBe(`Incident resolved: ${'a'.repeat(139)}…`);
  });

  it('keeps free text of exactly 140 characters whole', () => {
    const entry = toTimelineEntry(anIncidentReopened({ reason: 'b'.repeat(140) }), meta);
    expect(entry.summary).toBe(`Incident reopened: ${'b'.repeat(140)}`);
  });
});
