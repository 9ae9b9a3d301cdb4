import type { CommandMetadata } from '@fireline/event-store';
import type { IncidentFacts } from '../domain/public-incident-facts';
import type { SyncPublishedIncident } from '../domain/status-page.commands';

/** The subscription name of this workflow (its checkpoint row and advisory lock). */
export const UPDATE_STATUS_PAGE_WHEN_INCIDENT_CHANGED = 'workflow:update-status-page-when-incident-changed';

/** What triggered a sync: the last stored event (of the incident, or the page's publication) in the batch. */
export interface SyncTrigger {
  eventId: string;
  correlationId: string;
  /** ISO-8601 `at` of that event: the page changes "when the incident did". */
  at: string;
}

/**
 * The command that brings one page's copy of an incident up to date (pure). Its id derives from the
 * trigger and the page, so a redelivered batch appends nothing new; and the decider publishes only the
 * facts the page lacks, so any order of triggers converges.
 */
export function syncCommandFor(pageId: string, facts: IncidentFacts, trigger: SyncTrigger): SyncPublishedIncident {
  const metadata: CommandMetadata = {
    now: new Date(trigger.at),
    actor: 'system:status-pages',
    correlationId: trigger.correlationId,
    causationId: trigger.eventId,
    commandId: `${UPDATE_STATUS_PAGE_WHEN_INCIDENT_CHANGED}:${trigger.eventId}:${pageId}`,
  };
  return { type: 'SyncPublishedIncident', data: { pageId, incidentId: facts.incidentId, incident: facts }, metadata };
}
