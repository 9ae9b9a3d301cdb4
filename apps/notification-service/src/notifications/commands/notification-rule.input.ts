import type { NotificationRuleMatch } from '../domain/notification-rule';

/** A channel as a client gives it: a webhook secret may be left out (one is then generated). */
export type ChannelInput = { type: 'webhook'; url: string; secret?: string } | { type: 'slack'; webhookUrl: string };

/** A partial match from a request -> a full one (absent list = no filter). */
export function normalizeMatch(match: Partial<NotificationRuleMatch> | undefined): NotificationRuleMatch {
  return { severities: match?.severities ?? [], services: match?.services ?? [], eventTypes: match?.eventTypes ?? [] };
}
