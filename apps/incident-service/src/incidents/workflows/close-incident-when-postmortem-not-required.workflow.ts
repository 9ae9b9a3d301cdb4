import type { CloseIncident } from '../domain/incident.commands';
import type { IncidentEvent, IncidentResolved } from '../domain/incident.events';
import { evolveIncident, initialIncidentState, type IncidentState } from '../domain/incident.state';

/** The subscription name (checkpoint row and advisory lock) of the workflow, and the prefix of its command ids. */
export const CLOSE_INCIDENT_WHEN_POSTMORTEM_NOT_REQUIRED = 'workflow:close-incident-when-postmortem-not-required';

/** Who the workflow's `CloseIncident` is attributed to (automation: not a human actor). */
export const CLOSE_INCIDENT_WORKFLOW_ACTOR = 'system:incident-service';

/** A stored incident event with its id (as `RecordedEvent` has it). */
export interface IdentifiedIncidentEvent {
  eventId: string;
  event: IncidentEvent;
}

/**
 * close-incident-when-postmortem-not-required (pure): the `CloseIncident` a stored `IncidentResolved`
 * calls for, or `null`.
 *
 * Closes only when the resolution recorded `postmortem.required === false` (absent = required, as on
 * events from before the policy) and that resolution is still the incident's latest and the incident is
 * still resolved: a reopen, a later resolution (decided anew) or a close by hand since win. The command
 * id `<workflow>:<resolution event id>` makes a redelivery append nothing new; `now` is the resolution's
 * time, so the effect is the same however late it runs.
 *
 * @param resolved the `IncidentResolved` reacted to, with its event id.
 * @param incidentEvents the incident's stream as it is now, with event ids.
 */
export function closeIncidentWhenPostmortemNotRequired(
  resolved: { eventId: string; event: IncidentResolved; correlationId: string },
  incidentEvents: IdentifiedIncidentEvent[],
): CloseIncident | null {
  const { postmortem, incidentId, at } = resolved.event.data;
  if (postmortem === undefined || postmortem.required) return null;
  const latest = [...incidentEvents].reverse().find((e) => e.event.type === 'IncidentResolved');
  if (latest?.eventId !== resolved.eventId) return null;
  const state = incidentEvents.reduce<IncidentState>((s, e) => evolveIncident(s, e.event), initialIncidentState);
  if (state.status !== 'resolved') return null;
  return {
    type: 'CloseIncident',
    data: { incidentId, reason: { code: 'postmortem_not_required', text: `postmortem ${postmortem.reason}` } },
    metadata: {
      now: new Date(at),
      actor: CLOSE_INCIDENT_WORKFLOW_ACTOR,
      correlationId: resolved.correlationId,
      causationId: resolved.eventId,
      commandId: `${CLOSE_INCIDENT_WHEN_POSTMORTEM_NOT_REQUIRED}:${resolved.eventId}`,
    },
  };
}
