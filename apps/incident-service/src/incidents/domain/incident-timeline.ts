import type { IncidentEvent, IncidentEventBase, IncidentEventType } from './incident.events';
import type { IncidentRole } from './incident.values';

type TimelineEntryOf<E extends IncidentEvent> = {
  eventId: string;
  /** 1-based position of the event in the incident's stream. */
  version: number;
  /** ISO-8601 UTC, the event's `at`. */
  at: string;
  /** The event's `by`. */
  actor: string;
  kind: E['type'];
  /** One human sentence, free text collapsed to one line and cut at 140 characters. */
  summary: string;
  /** The event's data without `incidentId`, `at` and `by`. */
  details: Omit<E['data'], keyof IncidentEventBase>;
};

/** One line of an incident's timeline, discriminated on `kind` (the stored event type). */
export type IncidentTimelineEntry = { [T in IncidentEventType]: TimelineEntryOf<Extract<IncidentEvent, { type: T }>> }[IncidentEventType];

/** Where the event sits in its stream, from the stored event (`RecordedEvent.eventId` / `.version`). */
export interface TimelineEventMeta {
  eventId: string;
  version: number;
}

/** Longest free-text excerpt in a summary, in characters (code points); full text stays in `details`. */
export const TIMELINE_EXCERPT_MAX = 140;

/** Turns a stored incident event into a timeline entry with a human summary, e.g. `Severity changed from SEV2 to SEV1: disk full`. */
export function toTimelineEntry(event: IncidentEvent, meta: TimelineEventMeta): IncidentTimelineEntry {
  const { incidentId: _incidentId, at, by, ...details } = event.data;
  // `details` is exactly the event's own fields; TypeScript loses the type/data link through the rest spread.
  return { eventId: meta.eventId, version: meta.version, at, actor: by, kind: event.type, summary: summarize(event), details } as IncidentTimelineEntry;
}

function summarize(event: IncidentEvent): string {
  switch (event.type) {
    case 'IncidentDeclared': {
      const { severity, title, services, detectionSource } = event.data;
      const affecting = services.length > 0 ? ` affecting ${services.join(', ')}` : '';
      return `${severity} incident declared: ${excerpt(title)}${affecting} (source: ${detectionSource})`;
    }
    case 'IncidentAcknowledged':
      return 'Incident acknowledged';
    case 'IncidentStatusChanged': {
      const { from, to, note } = event.data;
      return `Status changed from ${from} to ${to}${note === null ? '' : `: ${excerpt(note)}`}`;
    }
    case 'IncidentSeverityChanged':
      return `Severity changed from ${event.data.from} to ${event.data.to}: ${excerpt(event.data.reason)}`;
    case 'IncidentRoleAssigned': {
      const { role, assignee, previousAssignee } = event.data;
      return previousAssignee === null
        ? `${ROLE_LABELS[role]} assigned to ${assignee}`
        : `${ROLE_LABELS[role]} reassigned from ${previousAssignee} to ${assignee}`;
    }
    case 'TimelineNoteAdded':
      return `Note added: ${excerpt(event.data.text)}`;
    case 'StatusUpdatePosted':
      return `${event.data.audience === 'external' ? 'External' : 'Internal'} status update posted: ${excerpt(event.data.message)}`;
    case 'IncidentResolved':
      return `Incident resolved: ${excerpt(event.data.summary)}`;
    case 'IncidentReopened':
      return `Incident reopened: ${excerpt(event.data.reason)}`;
    case 'IncidentClosed':
      return event.data.reason === undefined ? 'Incident closed' : `Incident closed: ${excerpt(event.data.reason.text)}`;
    default: {
      const _exhaustive: never = event;
      return `Unknown event ${String((_exhaustive as { type?: unknown }).type)}`;
    }
  }
}

const ROLE_LABELS: Record<IncidentRole, string> = {
  incident_commander: 'Incident commander',
  technical_lead: 'Technical lead',
  communications_lead: 'Communications lead',
};

/** Whitespace (newlines included) collapsed to single spaces, cut to {@link TIMELINE_EXCERPT_MAX} with `…`. */
function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const codePoints = Array.from(oneLine);
  return codePoints.length <= TIMELINE_EXCERPT_MAX ? oneLine : `${codePoints.slice(0, TIMELINE_EXCERPT_MAX - 1).join('').trimEnd()}…`;
}
