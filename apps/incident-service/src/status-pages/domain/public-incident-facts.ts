import type { IncidentEvent } from '../../incidents/domain/incident.events';
import type { IncidentStatus } from '../../incidents/domain/incident.values';
import type { PublicIncidentStatus } from './status-page.values';

/** One thing customers should read about an incident, in stream order. */
export interface PublicUpdateFact {
  /** Stable id of the source: `update:<updateId>`, `resolved:<n>`, `reopened:<n>` (n-th resolution / reopening). */
  sourceId: string;
  kind: 'update' | 'resolved' | 'reopened';
  status: PublicIncidentStatus;
  body: string;
  /** ISO-8601, when it happened on the incident. */
  at: string;
}

/** What a status page may show of an incident, read from its stream (never internal updates or notes). */
export interface IncidentFacts {
  incidentId: string;
  title: string;
  declaredAt: string;
  resolved: boolean;
  updates: PublicUpdateFact[];
}

/** Statuspage's public status for a Fireline lifecycle status: detected/investigating → investigating, mitigating → monitoring, resolved/closed → resolved. */
export function publicStatusOf(status: IncidentStatus): PublicIncidentStatus {
  switch (status) {
    case 'detected':
    case 'investigating':
      return 'investigating';
    case 'identified':
      return 'identified';
    case 'mitigating':
      return 'monitoring';
    case 'resolved':
    case 'closed':
      return 'resolved';
    default: {
      const _never: never = status;
      return _never;
    }
  }
}

/** The public text of an automatic update when the incident is resolved or reopened. */
export const RESOLVED_UPDATE_BODY = 'This incident has been resolved.';
export const REOPENED_UPDATE_BODY = 'The issue has come back and we are investigating again.';

/**
 * The public facts of an incident from its stored events, in stream order: each `external` status update
 * (its public status = the update's `publicStatus` if given, else the lifecycle status at that moment
 * mapped by `publicStatusOf`), and one automatic update per resolution and per reopening. Internal
 * updates, notes, roles and severity never appear.
 * @returns null when the stream holds no declaration.
 */
export function publicIncidentFacts(events: readonly IncidentEvent[]): IncidentFacts | null {
  const declared = events.find((event) => event.type === 'IncidentDeclared');
  if (!declared || declared.type !== 'IncidentDeclared') return null;
  let status: IncidentStatus = 'detected';
  let resolutions = 0;
  let reopenings = 0;
  const updates: PublicUpdateFact[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'IncidentStatusChanged':
        status = event.data.to;
        break;
      case 'StatusUpdatePosted':
        if (event.data.audience === 'external') {
          updates.push({
            sourceId: `update:${event.data.updateId}`,
            kind: 'update',
            status: event.data.publicStatus ?? publicStatusOf(status),
            body: event.data.message,
            at: event.data.at,
          });
        }
        break;
      case 'IncidentResolved':
        status = 'resolved';
        resolutions++;
        updates.push({ sourceId: `resolved:${resolutions}`, kind: 'resolved', status: 'resolved', body: RESOLVED_UPDATE_BODY, at: event.data.at });
        break;
      case 'IncidentReopened':
        status = 'investigating';
        reopenings++;
        updates.push({ sourceId: `reopened:${reopenings}`, kind: 'reopened', status: 'investigating', body: REOPENED_UPDATE_BODY, at: event.data.at });
        break;
      case 'IncidentClosed':
        status = 'closed';
        break;
      default:
        break;
    }
  }
  return {
    incidentId: declared.data.incidentId,
    title: declared.data.title,
    declaredAt: declared.data.at,
    resolved: status === 'resolved' || status === 'closed',
    updates,
  };
}
