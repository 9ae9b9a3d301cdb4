import type { IncidentIntegrationEventV1, IncidentRoleV1, IncidentStatusV1 } from '@fireline/contracts';

/** A row of `incident_timeline_entries`, before it is stored. */
export interface IncidentTimelineEntryRow {
  incidentId: string;
  eventId: string;
  occurredAt: Date;
  type: IncidentIntegrationEventV1['type'];
  actor: string;
  summary: string;
  details: Record<string, unknown>;
}

const ROLE_NAMES: Record<IncidentRoleV1, string> = {
  incident_commander: 'Incident commander',
  technical_lead: 'Technical lead',
  communications_lead: 'Communications lead',
};

function statusName(status: IncidentStatusV1): string {
  return status.replace(/_/g, ' ');
}

function withDetail(text: string, detail: string | null | undefined): string {
  const trimmed = detail?.trim();
  return trimmed ? `${text}: ${trimmed}` : text;
}

/**
 * One human line for the postmortem timeline, per incident event (blameless: it says what happened,
 * the actor column says who). Exhaustive over `IncidentIntegrationEventV1`.
 */
export function summarizeIncidentEvent(event: IncidentIntegrationEventV1): string {
  switch (event.type) {
    case 'IncidentDeclared': {
      const { incident, detectionSource } = event.data;
      const services = incident.services.length > 0 ? ` affecting ${incident.services.join(', ')}` : '';
      return `${incident.severity} incident declared${services}: ${incident.title} (detected by ${detectionSource})`;
    }
    case 'IncidentAcknowledged':
      return 'Incident acknowledged';
    case 'IncidentStatusChanged':
      return withDetail(`Status changed from ${statusName(event.data.from)} to ${statusName(event.data.to)}`, event.data.note);
    case 'IncidentSeverityChanged':
      return withDetail(`Severity changed from ${event.data.from} to ${event.data.to}`, event.data.reason);
    case 'IncidentRoleAssigned': {
      const { role, assignee, previousAssignee } = event.data;
      const previous = previousAssignee ? ` (previously ${previousAssignee})` : '';
      return `${ROLE_NAMES[role]} assigned to ${assignee}${previous}`;
    }
    case 'IncidentNoteAdded':
      return withDetail('Note added', event.data.text);
    case 'IncidentStatusUpdatePosted':
      return withDetail(`${event.data.audience === 'external' ? 'External' : 'Internal'} status update posted`, event.data.message);
    case 'IncidentResolved':
      return withDetail('Incident resolved', event.data.summary);
    case 'IncidentReopened':
      return withDetail('Incident reopened', event.data.reason);
    case 'IncidentClosed':
      return event.data.reason === undefined ? 'Incident closed' : withDetail('Incident closed', event.data.reason.text);
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/** The event-specific fields worth keeping next to the summary (not the repeated incident snapshot). */
function detailsOf(event: IncidentIntegrationEventV1): Record<string, unknown> {
  const { incidentId: _id, incident, actor: _actor, ...specific } = event.data;
  return { ...specific, severity: incident.severity, status: incident.status };
}

/** Maps an incident integration event to its timeline row. */
export function toTimelineEntryRow(event: IncidentIntegrationEventV1): IncidentTimelineEntryRow {
  return {
    incidentId: event.data.incidentId,
    eventId: event.eventId,
    occurredAt: new Date(event.occurredAt),
    type: event.type,
    actor: event.data.actor,
    summary: summarizeIncidentEvent(event),
    details: detailsOf(event),
  };
}
