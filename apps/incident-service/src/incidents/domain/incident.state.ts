import type { IncidentEvent } from './incident.events';
import { isHumanActor } from './postmortem-policy';
import { INCIDENT_SEVERITIES, type IncidentRole, type IncidentStatus, type Severity, type StatusUpdateAudience } from './incident.values';

/** The state of a stream with no events: the incident does not exist. */
export interface NoIncident {
  status: 'none';
}

/** The latest status update posted for one audience. `at` is ISO-8601 UTC, `by` the actor. */
export interface LastStatusUpdate {
  updateId: string;
  message: string;
  at: string;
  by: string;
}

/**
 * A declared incident, as folded from its events. Timestamps are ISO-8601 UTC strings copied from the
 * events (`at`); actors are the events' `by`. Holds no stream version: the handler tracks that.
 */
export interface Incident {
  status: IncidentStatus;
  id: string;
  title: string;
  description: string;
  severity: Severity;
  /** The most severe `severity` the incident has had (SEV1 over SEV4): what the postmortem policy looks at. */
  highestSeverity: Severity;
  services: string[];
  detectionSource: string;
  declaredAt: string;
  declaredBy: string;
  /** The first human actor (`isHumanActor`) on any of its events, `null` while only automation acted. */
  firstHumanActor: string | null;
  /** First acknowledgement; stays `null` if the incident was resolved unacknowledged (MTTA undefined). */
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** Set by `IncidentResolved`, cleared by `IncidentReopened`. */
  resolvedAt: string | null;
  /** Set by `IncidentResolved`, cleared by `IncidentReopened`. */
  resolutionSummary: string | null;
  closedAt: string | null;
  /** Current holder of each role, `null` when vacant. */
  roles: Record<IncidentRole, string | null>;
  lastStatusUpdate: Record<StatusUpdateAudience, LastStatusUpdate | null>;
  noteCount: number;
  updateCount: number;
  /** Every `noteId` seen, so that a retried `AddTimelineNote` is a no-op. */
  noteIds: string[];
  /** Every `updateId` seen, so that a retried `PostStatusUpdate` is a no-op. */
  updateIds: string[];
}

/** Discriminated on `status`: `'none'` before `IncidentDeclared`, else a lifecycle status. */
export type IncidentState = NoIncident | Incident;

/** The state of an incident stream with no events. */
export const initialIncidentState: NoIncident = Object.freeze({ status: 'none' as const });

/**
 * Folds one stored event into the state. Pure: reads neither clock nor random, never mutates `state`.
 *
 * Trusts the stream (the decider produced it): an event that cannot apply, such as anything before
 * `IncidentDeclared` or a second `IncidentDeclared`, leaves the state unchanged instead of throwing, so a
 * damaged stream stays readable.
 */
export function evolveIncident(state: IncidentState, event: IncidentEvent): IncidentState {
  if (event.type === 'IncidentDeclared') {
    if (state.status !== 'none') return state;
    const { incidentId, at, by, title, description, severity, services, detectionSource } = event.data;
    return {
      status: 'detected',
      id: incidentId,
      title,
      description,
      severity,
      highestSeverity: severity,
      services: [...services],
      detectionSource,
      declaredAt: at,
      declaredBy: by,
      firstHumanActor: isHumanActor(by) ? by : null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolutionSummary: null,
      closedAt: null,
      roles: { incident_commander: null, technical_lead: null, communications_lead: null },
      lastStatusUpdate: { internal: null, external: null },
      noteCount: 0,
      updateCount: 0,
      noteIds: [],
      updateIds: [],
    };
  }
  if (state.status === 'none') return state;
  const next = evolveDeclared(state, event);
  if (next.firstHumanActor !== null || !isHumanActor(event.data.by)) return next;
  return { ...next, firstHumanActor: event.data.by };
}

function evolveDeclared(state: Incident, event: IncidentEvent): Incident {
  switch (event.type) {
    case 'IncidentDeclared':
      return state;
    case 'IncidentAcknowledged':
      if (state.acknowledgedAt !== null) return state;
      return { ...state, acknowledgedAt: event.data.at, acknowledgedBy: event.data.by };
    case 'IncidentStatusChanged':
      return { ...state, status: event.data.to };
    case 'IncidentSeverityChanged':
      return { ...state, severity: event.data.to, highestSeverity: moreSevere(state.highestSeverity, event.data.to) };
    case 'IncidentRoleAssigned':
      return { ...state, roles: { ...state.roles, [event.data.role]: event.data.assignee } };
    case 'TimelineNoteAdded':
      return { ...state, noteCount: state.noteCount + 1, noteIds: [...state.noteIds, event.data.noteId] };
    case 'StatusUpdatePosted': {
      const { updateId, audience, message, at, by } = event.data;
      return {
        ...state,
        lastStatusUpdate: { ...state.lastStatusUpdate, [audience]: { updateId, message, at, by } },
        updateCount: state.updateCount + 1,
        updateIds: [...state.updateIds, updateId],
      };
    }
    case 'IncidentResolved':
      return { ...state, status: 'resolved', resolvedAt: event.data.at, resolutionSummary: event.data.summary };
    case 'IncidentReopened':
      return { ...state, status: 'investigating', resolvedAt: null, resolutionSummary: null };
    case 'IncidentClosed':
      return { ...state, status: 'closed', closedAt: event.data.at };
    default: {
      // Unknown at compile time; at run time (an event type from a newer deploy) leave the state be.
      const _exhaustive: never = event;
      void _exhaustive;
      return state;
    }
  }
}

/** The more severe of two severities (`SEV1` is the most severe). */
function moreSevere(a: Severity, b: Severity): Severity {
  return INCIDENT_SEVERITIES.indexOf(a) <= INCIDENT_SEVERITIES.indexOf(b) ? a : b;
}
