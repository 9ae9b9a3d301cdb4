import type { IncidentCommand } from '../../incidents/domain/incident.commands';
import type { IncidentEvent } from '../../incidents/domain/incident.events';
import { INCIDENT_LIMITS } from '../../incidents/domain/incident.validation';
import type { AutoResolvePolicy } from '../integrations/domain/integration.values';
import type { AlertResolved } from '../domain/alert.events';
import { clip, commandMetadata, humanTakingOver, incidentIdIn, type AlertReactionContext } from './alert-incident';

/** What to do with the incident when its alert resolved: resolve it, or only note why not. */
export type AlertResolvedPlan = { action: 'resolve' } | { action: 'note'; because: string };

/**
 * The integration's `autoResolve` policy applied to the incident's history (pure):
 * - `unless_taken_over`: resolve, unless someone other than the integration has acted on it;
 * - `always`: resolve even then;
 * - `never`: never resolve, only note it.
 */
export function planAlertResolved(policy: AutoResolvePolicy, incidentEvents: IncidentEvent[], integrationId: string): AlertResolvedPlan {
  switch (policy) {
    case 'always':
      return { action: 'resolve' };
    case 'never':
      return { action: 'note', because: 'this integration is set never to resolve incidents automatically' };
    case 'unless_taken_over': {
      const human = humanTakingOver(incidentEvents, integrationId);
      return human === null ? { action: 'resolve' } : { action: 'note', because: `${human} has taken it over` };
    }
    default: {
      const _exhaustive: never = policy;
      throw new Error(`unknown autoResolve policy ${String(_exhaustive)}`);
    }
  }
}

/**
 * The incarnation closed (`AlertResolved`: the alert, or the last firing alert of a group, resolved):
 * `ResolveIncident` ("Alert resolved: …", for a group "All n alerts of the group resolved: …") or, as
 * the integration's `autoResolve` policy says (`planAlertResolved`), a timeline note saying why not. Pure.
 */
export function resolveIncidentWhenAlertsResolved(event: AlertResolved, context: AlertReactionContext): IncidentCommand[] {
  const { integration } = context;
  const { integrationId, dedupKey, incarnation, fingerprint } = event.data;
  const incidentId = incidentIdIn(event, context);
  const summary = event.data.summary ?? context.incidentEvents.find((e) => e.type === 'IncidentDeclared')?.data.title ?? dedupKey;
  const members = new Set(
    (context.alertHistory ?? [])
      .filter((h) => h.event.data.incarnation === incarnation)
      .map((h) => (h.event.data as { fingerprint?: string }).fingerprint)
      .filter((f): f is string => f !== undefined),
  );
  const what = event.data.expired ? 'Alert expired' : fingerprint === undefined ? 'Alert resolved' : members.size > 1 ? `All ${members.size} alerts of the group resolved` : 'Alert resolved';
  const plan = planAlertResolved(integration.autoResolve, context.incidentEvents, integrationId);
  if (plan.action === 'note') {
    const text = `${what} at the source (${summary}); not resolving the incident automatically because ${plan.because}.`;
    return [{ type: 'AddTimelineNote', data: { incidentId, noteId: `alert:${context.eventId}`, text: clip(text, INCIDENT_LIMITS.textMax) }, metadata: commandMetadata(event, context) }];
  }
  return [{ type: 'ResolveIncident', data: { incidentId, summary: clip(`${what}: ${summary}`, INCIDENT_LIMITS.textMax) }, metadata: commandMetadata(event, context) }];
}
