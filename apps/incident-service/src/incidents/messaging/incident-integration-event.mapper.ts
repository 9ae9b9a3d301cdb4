import type { IncidentIntegrationEventTypeV1, IncidentIntegrationEventV1, IncidentSnapshotV1 } from '@fireline/contracts';
import type { RecordedEvent } from '@fireline/event-store/event-store.types';
import type { IncidentEvent, IncidentEventType } from '../domain/incident.events';
import type { Incident, IncidentState } from '../domain/incident.state';

/** A stored incident event as read back from the event store. */
export type RecordedIncidentEvent = RecordedEvent<IncidentEventType, IncidentEvent['data']>;

/**
 * The public v1 name of each stored event type. Two differ (`TimelineNoteAdded` →
 * `IncidentNoteAdded`, `StatusUpdatePosted` → `IncidentStatusUpdatePosted`); the others keep their name.
 */
export const INCIDENT_INTEGRATION_EVENT_TYPE_BY_EVENT_TYPE: Readonly<Record<IncidentEventType, IncidentIntegrationEventTypeV1>> = {
  IncidentDeclared: 'IncidentDeclared',
  IncidentAcknowledged: 'IncidentAcknowledged',
  IncidentStatusChanged: 'IncidentStatusChanged',
  IncidentSeverityChanged: 'IncidentSeverityChanged',
  IncidentRoleAssigned: 'IncidentRoleAssigned',
  TimelineNoteAdded: 'IncidentNoteAdded',
  StatusUpdatePosted: 'IncidentStatusUpdatePosted',
  IncidentResolved: 'IncidentResolved',
  IncidentReopened: 'IncidentReopened',
  IncidentClosed: 'IncidentClosed',
};

/**
 * Maps a stored (private) incident event onto the public v1 contract (`libs/contracts`
 * `incident-events.v1.ts`), field by field, so that a change to a stored event cannot leak out.
 *
 * - `eventId`, `streamId` from the stored event; `occurredAt` = `data.at`; `actor` = `data.by`;
 * - `correlationId` = `metadata.correlationId`, else the event's own id; `causationId` =
 *   `metadata.causationId`, else `null`;
 * - `data.incident` is a snapshot of `stateAfter`, the incident folded up to and including this event.
 *
 * @throws Error when `stateAfter` is not a declared incident with the event's `incidentId` (a caller bug:
 *   the state must be folded from the same stream).
 */
export function toIncidentIntegrationEvent(recorded: RecordedIncidentEvent, stateAfter: IncidentState): IncidentIntegrationEventV1 {
  // RecordedEvent<T, D> does not tie `data` to `type`; the store wrote them together, so re-join them.
  const event = { type: recorded.type, data: recorded.data } as IncidentEvent;
  if (stateAfter.status === 'none' || stateAfter.id !== event.data.incidentId) {
    throw new Error(`Cannot map ${recorded.type} ${recorded.eventId}: the state after it is not incident ${event.data.incidentId}`);
  }
  const envelope = {
    eventId: recorded.eventId,
    version: 1 as const,
    occurredAt: event.data.at,
    correlationId: recorded.metadata.correlationId ?? recorded.eventId,
    causationId: recorded.metadata.causationId ?? null,
    streamId: recorded.streamId,
  };
  const common = { incidentId: event.data.incidentId, incident: toIncidentSnapshotV1(stateAfter), actor: event.data.by };

  switch (event.type) {
    case 'IncidentDeclared':
      return {
        ...envelope,
        type: 'IncidentDeclared',
        data: { ...common, description: event.data.description, detectionSource: event.data.detectionSource },
      };
    case 'IncidentAcknowledged':
      return { ...envelope, type: 'IncidentAcknowledged', data: common };
    case 'IncidentStatusChanged':
      return {
        ...envelope,
        type: 'IncidentStatusChanged',
        data: { ...common, from: event.data.from, to: event.data.to, note: event.data.note },
      };
    case 'IncidentSeverityChanged':
      return {
        ...envelope,
        type: 'IncidentSeverityChanged',
        data: { ...common, from: event.data.from, to: event.data.to, reason: event.data.reason },
      };
    case 'IncidentRoleAssigned':
      return {
        ...envelope,
        type: 'IncidentRoleAssigned',
        data: { ...common, role: event.data.role, assignee: event.data.assignee, previousAssignee: event.data.previousAssignee },
      };
    case 'TimelineNoteAdded': {
      // Notes an alert integration writes about its alerts (ids `alert:…`, `alert-membership:…`) are alert churn.
      const churn = event.data.by.startsWith('integration:') && /^alert[:-]/.test(event.data.noteId);
      return { ...envelope, type: 'IncidentNoteAdded', data: { ...common, ...(churn ? { kind: 'alert_churn' as const } : {}), noteId: event.data.noteId, text: event.data.text } };
    }
    case 'StatusUpdatePosted':
      return {
        ...envelope,
        type: 'IncidentStatusUpdatePosted',
        data: { ...common, updateId: event.data.updateId, audience: event.data.audience, message: event.data.message },
      };
    case 'IncidentResolved':
      return {
        ...envelope,
        type: 'IncidentResolved',
        data: {
          ...common,
          summary: event.data.summary,
          ...(event.data.postmortem === undefined ? {} : { postmortem: { required: event.data.postmortem.required, reason: event.data.postmortem.reason } }),
        },
      };
    case 'IncidentReopened':
      return { ...envelope, type: 'IncidentReopened', data: { ...common, reason: event.data.reason } };
    case 'IncidentClosed':
      return {
        ...envelope,
        type: 'IncidentClosed',
        data: { ...common, ...(event.data.reason === undefined ? {} : { reason: { code: event.data.reason.code, text: event.data.reason.text } }) },
      };
    default: {
      const _exhaustive: never = event;
      throw new Error(`Unknown incident event type ${String((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}

/** The public snapshot of an incident. Severity/status values are the same strings in v1 (type-checked). */
export function toIncidentSnapshotV1(incident: Incident): IncidentSnapshotV1 {
  return {
    id: incident.id,
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    services: [...incident.services],
    declaredAt: incident.declaredAt,
  };
}
