import { randomUUID } from 'node:crypto';
import type {
  IncidentEventKindV1,
  IncidentNoteAddedV1,
  IncidentDeclaredV1,
  IncidentSeverityChangedV1,
  IncidentSnapshotV1,
  IncidentStatusChangedV1,
} from '@fireline/contracts';

/** An incident snapshot with fresh ids; override what the test is about. */
export function anIncidentSnapshot(overrides: Partial<IncidentSnapshotV1> = {}): IncidentSnapshotV1 {
  return {
    id: randomUUID(),
    title: 'Checkout API returns 502s',
    severity: 'SEV2',
    status: 'investigating',
    services: ['checkout-api'],
    declaredAt: '2025-11-21T09:00:00.000Z',
    ...overrides,
  };
}

/** `IncidentDeclared` v1 with a fresh event id; `incident` overrides go into the snapshot. */
export function anIncidentDeclared(incident: Partial<IncidentSnapshotV1> = {}, overrides: Partial<IncidentDeclaredV1> = {}): IncidentDeclaredV1 {
  const snapshot = anIncidentSnapshot(incident);
  return {
    eventId: randomUUID(),
    type: 'IncidentDeclared',
    version: 1,
    occurredAt: snapshot.declaredAt,
    correlationId: randomUUID(),
    causationId: null,
    streamId: `incident-${snapshot.id}`,
    data: {
      incidentId: snapshot.id,
      incident: snapshot,
      actor: 'alice@example.com',
      description: 'Error rate above 5% on /checkout',
      detectionSource: 'alert:prometheus',
    },
    ...overrides,
  };
}

/** `IncidentStatusChanged` v1 for an incident (default: investigating -> identified). */
export function anIncidentStatusChanged(
  incident: Partial<IncidentSnapshotV1> = {},
  change: Partial<IncidentStatusChangedV1['data']> = {},
): IncidentStatusChangedV1 {
  const snapshot = anIncidentSnapshot({ status: 'identified', ...incident });
  return {
    eventId: randomUUID(),
    type: 'IncidentStatusChanged',
    version: 1,
    occurredAt: '2025-11-21T09:15:00.000Z',
    correlationId: randomUUID(),
    causationId: null,
    streamId: `incident-${snapshot.id}`,
    data: { incidentId: snapshot.id, incident: snapshot, actor: 'bob@example.com', from: 'investigating', to: snapshot.status, note: null, ...change },
  };
}

/** `IncidentSeverityChanged` v1 (default SEV3 -> the snapshot's severity). */
export function anIncidentSeverityChanged(incident: Partial<IncidentSnapshotV1> = {}): IncidentSeverityChangedV1 {
  const snapshot = anIncidentSnapshot({ severity: 'SEV1', ...incident });
  return {
    eventId: randomUUID(),
    type: 'IncidentSeverityChanged',
    version: 1,
    occurredAt: '2025-11-21T09:20:00.000Z',
    correlationId: randomUUID(),
    causationId: null,
    streamId: `incident-${snapshot.id}`,
    data: { incidentId: snapshot.id, incident: snapshot, actor: 'carol@example.com', from: 'SEV3', to: snapshot.severity, reason: 'Spreading to EU' },
  };
}

/** `IncidentNoteAdded` v1; with `kind: 'alert_churn'` as incident-service marks an alert integration's notes about its alerts. */
export function anIncidentNoteAdded(incident: Partial<IncidentSnapshotV1> = {}, kind?: IncidentEventKindV1): IncidentNoteAddedV1 {
  const snapshot = anIncidentSnapshot(incident);
  return {
    eventId: randomUUID(),
    type: 'IncidentNoteAdded',
    version: 1,
    occurredAt: '2025-11-21T09:25:00.000Z',
    correlationId: randomUUID(),
    causationId: null,
    streamId: `incident-${snapshot.id}`,
    data: {
      incidentId: snapshot.id,
      incident: snapshot,
      actor: kind === 'alert_churn' ? 'integration:int-1' : 'carol@example.com',
      ...(kind !== undefined ? { kind } : {}),
      noteId: kind === 'alert_churn' ? 'alert-membership:1:4' : 'note-1',
      text: 'Alert group changed since the previous note: 3 alerts started firing, 1 resolved; 7 firing now.',
    },
  };
}
