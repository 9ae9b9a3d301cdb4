import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { RecordedEvent } from '@fireline/event-store/event-store.types';
import type {
  AcknowledgeIncident,
  AddTimelineNote,
  AssignIncidentRole,
  ChangeIncidentSeverity,
  ChangeIncidentStatus,
  CloseIncident,
  DeclareIncident,
  PostStatusUpdate,
  ReopenIncident,
  ResolveIncident,
} from '../domain/incident.commands';
import type {
  IncidentAcknowledged,
  IncidentClosed,
  IncidentDeclared,
  IncidentEvent,
  IncidentReopened,
  IncidentResolved,
  IncidentRoleAssigned,
  IncidentSeverityChanged,
  IncidentStatusChanged,
  StatusUpdatePosted,
  TimelineNoteAdded,
} from '../domain/incident.events';

/** Test data for incidents. Every factory takes overrides; defaults describe one incident, `inc-1`. */
export const TEST_INCIDENT_ID = 'inc-1';
/** The default command clock, and the `at` of default events. */
export const TEST_NOW = new Date('2025-03-01T10:00:00.000Z');
export const TEST_ACTOR = 'alice@example.com';

/** `TEST_NOW` plus `minutes`, for events and commands that happen later. */
export function minutesAfterTestNow(minutes: number): Date {
  return new Date(TEST_NOW.getTime() + minutes * 60_000);
}

export function aCommandMetadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { now: TEST_NOW, actor: TEST_ACTOR, correlationId: 'corr-1', ...overrides };
}

type DataOf<C extends { data: unknown }> = C['data'];

function eventBase(): { incidentId: string; at: string; by: string } {
  return { incidentId: TEST_INCIDENT_ID, at: TEST_NOW.toISOString(), by: TEST_ACTOR };
}

export function aDeclareIncidentCommand(
  data: Partial<DataOf<DeclareIncident>> = {},
  metadata: Partial<CommandMetadata> = {},
): DeclareIncident {
  return {
    type: 'DeclareIncident',
    data: {
      incidentId: TEST_INCIDENT_ID,
      title: 'Checkout returns 500',
      description: 'Error rate on /checkout above 20%',
      severity: 'SEV2',
      services: ['checkout', 'payments'],
      detectionSource: 'alert:datadog',
      ...data,
    },
    metadata: aCommandMetadata(metadata),
  };
}

export function anAcknowledgeIncidentCommand(
  data: Partial<DataOf<AcknowledgeIncident>> = {},
  metadata: Partial<CommandMetadata> = {},
): AcknowledgeIncident {
  return { type: 'AcknowledgeIncident', data: { incidentId: TEST_INCIDENT_ID, ...data }, metadata: aCommandMetadata(metadata) };
}

export function aChangeIncidentStatusCommand(
  data: Partial<DataOf<ChangeIncidentStatus>> = {},
  metadata: Partial<CommandMetadata> = {},
): ChangeIncidentStatus {
  return {
    type: 'ChangeIncidentStatus',
    data: { incidentId: TEST_INCIDENT_ID, status: 'investigating', ...data },
    metadata: aCommandMetadata(metadata),
  };
}

export function aChangeIncidentSeverityCommand(
  data: Partial<DataOf<ChangeIncidentSeverity>> = {},
  metadata: Partial<CommandMetadata> = {},
): ChangeIncidentSeverity {
  return {
    type: 'ChangeIncidentSeverity',
    data: { incidentId: TEST_INCIDENT_ID, severity: 'SEV1', reason: 'disk full on primary', ...data },
    metadata: aCommandMetadata(metadata),
  };
}

export function anAssignIncidentRoleCommand(
  data: Partial<DataOf<AssignIncidentRole>> = {},
  metadata: Partial<CommandMetadata> = {},
): AssignIncidentRole {
  return {
    type: 'AssignIncidentRole',
    data: { incidentId: TEST_INCIDENT_ID, role: 'incident_commander', assignee: 'bob@example.com', ...data },
    metadata: aCommandMetadata(metadata),
  };
}

export function anAddTimelineNoteCommand(
  data: Partial<DataOf<AddTimelineNote>> = {},
  metadata: Partial<CommandMetadata> = {},
): AddTimelineNote {
  return {
    type: 'AddTimelineNote',
    data: { incidentId: TEST_INCIDENT_ID, noteId: 'note-1', text: 'Rolled back deploy 4711', ...data },
    metadata: aCommandMetadata(metadata),
  };
}

export function aPostStatusUpdateCommand(
  data: Partial<DataOf<PostStatusUpdate>> = {},
  metadata: Partial<CommandMetadata> = {},
): PostStatusUpdate {
  return {
    type: 'PostStatusUpdate',
    data: {
      incidentId: TEST_INCIDENT_ID,
      updateId: 'update-1',
      audience: 'external',
      message: 'We are investigating failed checkouts.',
      ...data,
    },
    metadata: aCommandMetadata(metadata),
  };
}

export function aResolveIncidentCommand(
  data: Partial<DataOf<ResolveIncident>> = {},
  metadata: Partial<CommandMetadata> = {},
): ResolveIncident {
  return {
    type: 'ResolveIncident',
    data: { incidentId: TEST_INCIDENT_ID, summary: 'Rolled back the faulty deploy', ...data },
    metadata: aCommandMetadata(metadata),
  };
}

export function aReopenIncidentCommand(
  data: Partial<DataOf<ReopenIncident>> = {},
  metadata: Partial<CommandMetadata> = {},
): ReopenIncident {
  return {
    type: 'ReopenIncident',
    data: { incidentId: TEST_INCIDENT_ID, reason: 'Errors are back', ...data },
    metadata: aCommandMetadata(metadata),
  };
}

export function aCloseIncidentCommand(
  data: Partial<DataOf<CloseIncident>> = {},
  metadata: Partial<CommandMetadata> = {},
): CloseIncident {
  return { type: 'CloseIncident', data: { incidentId: TEST_INCIDENT_ID, ...data }, metadata: aCommandMetadata(metadata) };
}

export function anIncidentDeclared(data: Partial<IncidentDeclared['data']> = {}): IncidentDeclared {
  return {
    type: 'IncidentDeclared',
    data: {
      ...eventBase(),
      title: 'Checkout returns 500',
      description: 'Error rate on /checkout above 20%',
      severity: 'SEV2',
      services: ['checkout', 'payments'],
      detectionSource: 'alert:datadog',
      ...data,
    },
  };
}

export function anIncidentAcknowledged(data: Partial<IncidentAcknowledged['data']> = {}): IncidentAcknowledged {
  return { type: 'IncidentAcknowledged', data: { ...eventBase(), ...data } };
}

export function anIncidentStatusChanged(data: Partial<IncidentStatusChanged['data']> = {}): IncidentStatusChanged {
  return { type: 'IncidentStatusChanged', data: { ...eventBase(), from: 'detected', to: 'investigating', note: null, ...data } };
}

export function anIncidentSeverityChanged(data: Partial<IncidentSeverityChanged['data']> = {}): IncidentSeverityChanged {
  return { type: 'IncidentSeverityChanged', data: { ...eventBase(), from: 'SEV2', to: 'SEV1', reason: 'disk full on primary', ...data } };
}

export function anIncidentRoleAssigned(data: Partial<IncidentRoleAssigned['data']> = {}): IncidentRoleAssigned {
  return {
    type: 'IncidentRoleAssigned',
    data: { ...eventBase(), role: 'incident_commander', assignee: 'bob@example.com', previousAssignee: null, ...data },
  };
}

export function aTimelineNoteAdded(data: Partial<TimelineNoteAdded['data']> = {}): TimelineNoteAdded {
  return { type: 'TimelineNoteAdded', data: { ...eventBase(), noteId: 'note-1', text: 'Rolled back deploy 4711', ...data } };
}

export function aStatusUpdatePosted(data: Partial<StatusUpdatePosted['data']> = {}): StatusUpdatePosted {
  return {
    type: 'StatusUpdatePosted',
    data: { ...eventBase(), updateId: 'update-1', audience: 'external', message: 'We are investigating failed checkouts.', ...data },
  };
}

export function anIncidentResolved(data: Partial<IncidentResolved['data']> = {}): IncidentResolved {
  return { type: 'IncidentResolved', data: { ...eventBase(), summary: 'Rolled back the faulty deploy', ...data } };
}

export function anIncidentReopened(data: Partial<IncidentReopened['data']> = {}): IncidentReopened {
  return { type: 'IncidentReopened', data: { ...eventBase(), reason: 'Errors are back', ...data } };
}

export function anIncidentClosed(data: Partial<IncidentClosed['data']> = {}): IncidentClosed {
  return { type: 'IncidentClosed', data: { ...eventBase(), ...data } };
}

/** One of each stored event type, in a plausible stream order (declared … closed). */
export function oneOfEachIncidentEvent(): IncidentEvent[] {
  return [
    anIncidentDeclared(),
    anIncidentAcknowledged(),
    anIncidentStatusChanged(),
    anIncidentSeverityChanged(),
    anIncidentRoleAssigned(),
    aTimelineNoteAdded(),
    aStatusUpdatePosted(),
    anIncidentResolved(),
    anIncidentReopened(),
    anIncidentClosed(),
  ];
}

/** Wraps a stored incident event as the event store returns it. */
export function aRecordedIncidentEvent<E extends IncidentEvent>(
  event: E,
  overrides: Partial<Omit<RecordedEvent<E['type'], E['data']>, 'type' | 'data'>> = {},
): RecordedEvent<E['type'], E['data']> {
  return {
    globalPosition: '42',
    transactionId: '7',
    streamId: `incident-${event.data.incidentId}`,
    streamType: 'incident',
    version: 1,
    eventId: '0b5c5d7e-3f0a-4c55-9d1c-2f6b8c1e9a01',
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    metadata: { correlationId: 'corr-1', causationId: 'cmd-1', actor: event.data.by, occurredAt: event.data.at },
    recordedAt: new Date(event.data.at),
    ...overrides,
  };
}
