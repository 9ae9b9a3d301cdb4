import { incidentEventKindV1, type IncidentIntegrationEventV1 } from '@fireline/contracts';
import type { NotificationRule, NotificationRuleMatch } from './notification-rule';

/**
 * True when `event` passes every non-empty filter of `match`: its type is listed, its kind is listed
 * (`lifecycle` or `alert_churn`; an event without one is `lifecycle`), the incident's
 * severity (after the event) is listed, and at least one of the incident's services is listed.
 * Service names compare exactly (case-sensitive), as the incident service stores them.
 */
export function matchesRule(match: NotificationRuleMatch, event: IncidentIntegrationEventV1): boolean {
  const { incident } = event.data;
  if (match.eventTypes.length > 0 && !match.eventTypes.includes(event.type)) return false;
  if ((match.kinds ?? []).length > 0 && !match.kinds.includes(incidentEventKindV1(event))) return false;
  if (match.severities.length > 0 && !match.severities.includes(incident.severity)) return false;
  if (match.services.length > 0 && !incident.services.some((service) => match.services.includes(service))) return false;
  return true;
}

/** The enabled rules among `rules` that `event` matches, in the given order. */
export function rulesToNotify<TRule extends NotificationRule>(rules: readonly TRule[], event: IncidentIntegrationEventV1): TRule[] {
  return rules.filter((rule) => rule.enabled && matchesRule(rule.match, event));
}
