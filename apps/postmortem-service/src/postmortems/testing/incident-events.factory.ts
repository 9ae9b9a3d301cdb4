import { randomUUID } from 'node:crypto';
import type {
  IncidentAcknowledgedV1,
  IncidentClosedV1,
  IncidentDeclaredV1,
  IncidentNoteAddedV1,
  IncidentReopenedV1,
  IncidentResolvedV1,
  IncidentRoleAssignedV1,
  IncidentSeverityChangedV1,
  IncidentSnapshotV1,
  IncidentStatusChangedV1,
  IncidentStatusUpdatePostedV1,
} from '@fireline/contracts';

/** Envelope and snapshot defaults shared by the incident event factories; override per test. */
export interface IncidentEventOptions {
  incidentId?: string;
  eventId?: string;
  occurredAt?: string;
  actor?: string;
  incident?: Partial<IncidentSnapshotV1>;
}

export function anIncidentSnapshot(overrides: Partial<IncidentSnapshotV1> = {}): IncidentSnapshotV1 {
  return {
    id: overrides.id ?? randomUUID(),
    title: 'Checkout errors',
    severity: 'SEV2',
    status: 'investigating',
    services: ['checkout', 'payments'],
    declaredAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

function envelope<TType extends string, TData>(type: TType, options: IncidentEventOptions, data: TData) {
  const incidentId = options.incidentId ?? options.incident?.id ?? randomUUID();
  return {
    eventId: options.eventId ?? randomUUID(),
    type,
    version: 1 as const,
    occurredAt: options.occurredAt ?? '2025-03-01T10:00:00.000Z',
    correlationId: randomUUID(),
    causationId: null,
    streamId: `incident-${incidentId}`,
    data: {
      incidentId,
      incident: anIncidentSnapshot({ ...options.incident, id: incidentId }),
      actor: options.actor ?? 'bob@example.com',
      ...data,
    },
  };
}

export function anIncidentDeclared(options: IncidentEventOptions = {}, data: Partial<Pick<IncidentDeclaredV1['data'], 'description' | 'detectionSource'>> = {}): IncidentDeclaredV1 {
  return envelope('IncidentDeclared', { ...options, incident: { status: 'detected', ...options.incident } }, {
    description: 'Checkout returns 500s',
    detectionSource: 'alert:checkout-5xx',
    ...data,
  });
}

export function anIncidentAcknowledged(options: IncidentEventOptions = {}): IncidentAcknowledgedV1 {
  return envelope('IncidentAcknowledged', options, {});
}

export function anIncidentStatusChanged(options: IncidentEventOptions = {}, data: Partial<Pick<IncidentStatusChangedV1['data'], 'from' | 'to' | 'note'>> = {}): IncidentStatusChangedV1 {
  return envelope('IncidentStatusChanged', options, { from: 'investigating' as const, to: 'identified' as const, note: null, ...data });
}

export function anIncidentSeverityChanged(
  options: IncidentEventOptions = {},
  data: Partial<Pick<IncidentSeverityChangedV1['data'], 'from' | 'to' | 'reason'>> = {},
): IncidentSeverityChangedV1 {
  return envelope('IncidentSeverityChanged', options, { from: 'SEV3' as const, to: 'SEV2' as const, reason: 'More customers affected', ...data });
}

export function anIncidentRoleAssigned(
  options: IncidentEventOptions = {},
  data: Partial<Pick<IncidentRoleAssignedV1['data'], 'role' | 'assignee' | 'previousAssignee'>> = {},
): IncidentRoleAssignedV1 {
  return envelope('IncidentRoleAssigned', options, { role: 'incident_commander' as const, assignee: 'dana@example.com', previousAssignee: null, ...data });
}

export function anIncidentNoteAdded(options: IncidentEventOptions = {}, text = 'Error rate correlates with deploy 4711'): IncidentNoteAddedV1 {
  return envelope('IncidentNoteAdded', options, { noteId: randomUUID(), text });
}

export function anIncidentStatusUpdatePosted(
  options: IncidentEventOptions = {},
  data: Partial<Pick<IncidentStatusUpdatePostedV1['data'], 'audience' | 'message'>> = {},
): IncidentStatusUpdatePostedV1 {
  return envelope('IncidentStatusUpdatePosted', options, { updateId: randomUUID(), audience: 'external' as const, message: 'We are investigating', ...data });
}

export function anIncidentResolved(options: IncidentEventOptions = {}, summary = 'Rolled back deploy 4711'): IncidentResolvedV1 {
  return envelope('IncidentResolved', { ...options, incident: { status: 'resolved', ...options.incident } }, { summary });
}

export function anIncidentReopened(options: IncidentEventOptions = {}, reason = 'Errors are back'): IncidentReopenedV1 {
  return envelope('IncidentReopened', { ...options, incident: { status: 'investigating', ...options.incident } }, { reason });
}

export function anIncidentClosed(options: IncidentEventOptions = {}): IncidentClosedV1 {
  return envelope('IncidentClosed', { ...options, incident: { status: 'closed', ...options.incident } }, {});
}
