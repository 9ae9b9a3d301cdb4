import { nameBasedUuid } from '@fireline/event-store';

/**
 * The one postmortem id of an incident. Deterministic so that a redelivered or concurrently handled
 * `IncidentResolved` cannot create a second postmortem: both target the same stream.
 */
export function postmortemIdForIncident(incidentId: string): string {
  return nameBasedUuid(`postmortem:${incidentId}`);
}
