import { nameBasedUuid } from '@fireline/event-store/event-id';
import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { IncidentEvent } from '../../incidents/domain/incident.events';
import { evolveIncident, initialIncidentState, type IncidentState } from '../../incidents/domain/incident.state';
import { integrationActor, type Integration } from '../integrations/domain/integration';
import { alertStreamId } from '../domain/alert-stream';
import type { AlertEvent } from '../domain/alert.events';

/*
 * What the alert workflows share: which incident an alert incarnation belongs to, the context they
 * react in, and the metadata of the incident commands they issue. The workflows themselves are pure
 * functions, one file each, named for what they do; `AlertWorkflows` runs them on the alert events.
 */

/**
 * The subscription name (checkpoint row and advisory lock) of the alert workflows, and the prefix of
 * their command ids. Kept from when they were one workflow, so that an upgrade resumes at the stored
 * checkpoint and replayed commands keep their ids.
 */
export const OPEN_INCIDENT_WHEN_ALERT_TRIGGERED = 'workflow:open-incident-when-alert-triggered';

/**
 * The incident a new alert incarnation declares: `nameBasedUuid(<alert stream id>:<incarnation>)`, so
 * that a replay, a second instance or a race all address the same incident and cannot open two. (An
 * incarnation that attaches to the still-open incident of the previous one uses that incident's id
 * instead: see `AlertIncidentRepository`.)
 */
export function incidentIdOfAlert(integrationId: string, dedupKey: string, incarnation: number): string {
  return nameBasedUuid(`${alertStreamId(integrationId, dedupKey)}:${incarnation}`);
}

/** One stored alert event with its stream version. */
export interface VersionedAlertEvent {
  version: number;
  event: AlertEvent;
}

/** What the alert workflows know when they react to one stored alert event. */
export interface AlertReactionContext {
  /** The stored alert event's id: the causation, and the seed of the incident commands' ids. */
  eventId: string;
  correlationId: string;
  integration: Integration;
  /** The incident of the event's incarnation; default `incidentIdOfAlert(…)` of it. */
  incidentId?: string;
  /** True when this incarnation attached to the still-open incident of an earlier one (`AlertTriggered` only). */
  attached?: boolean;
  /** The incident's stored events, as they are now. */
  incidentEvents: IncidentEvent[];
  /** The event's version in its alert stream, and the stream as it is now (for summaries); optional for events that need neither. */
  version?: number;
  alertHistory?: VersionedAlertEvent[];
  /** At most one membership note per incident per this many ms (`ALERT_MEMBERSHIP_NOTE_WINDOW_MS`); default 60 000. */
  membershipNoteWindowMs?: number;
}

/** The incident of the event's incarnation in `context`. */
export function incidentIdIn(event: AlertEvent, context: AlertReactionContext): string {
  const { integrationId, dedupKey, incarnation } = event.data;
  return context.incidentId ?? incidentIdOfAlert(integrationId, dedupKey, incarnation);
}

/**
 * The metadata of an incident command reacting to `event`: the integration as actor, the event's time,
 * command id `<subscription>:<event id>` (and `:<part>` for a second command of the same event), so that
 * reacting twice appends nothing new.
 */
export function commandMetadata(event: AlertEvent, context: AlertReactionContext, part?: string): CommandMetadata {
  return {
    now: new Date(event.data.at),
    actor: integrationActor(event.data.integrationId),
    correlationId: context.correlationId,
    causationId: context.eventId,
    commandId: `${OPEN_INCIDENT_WHEN_ALERT_TRIGGERED}:${context.eventId}${part ? `:${part}` : ''}`,
  };
}

/** Cuts `text` to `max` code points (the incident limits count code points), marking the cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The incident folded from its events (`status: 'none'` when there are none). */
export function incidentStateOf(events: IncidentEvent[]): IncidentState {
  return events.reduce(evolveIncident, initialIncidentState as IncidentState);
}

/** True while the incident is declared and neither resolved nor closed. */
export function isIncidentOpen(events: IncidentEvent[]): boolean {
  const state = incidentStateOf(events);
  return state.status !== 'none' && state.status !== 'resolved' && state.status !== 'closed';
}

/**
 * The first actor other than the integration on the incident after its declaration, or `null`: an
 * incident is "taken over" once anyone but the integration has acted on it (acknowledged, changed
 * status or severity, took a role, wrote a note, resolved…).
 */
export function humanTakingOver(incidentEvents: IncidentEvent[], integrationId: string): string | null {
  const actor = integrationActor(integrationId);
  return incidentEvents.slice(1).find((event) => event.data.by !== actor)?.data.by ?? null;
}
