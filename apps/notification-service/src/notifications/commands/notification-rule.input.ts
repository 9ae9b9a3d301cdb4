import { ValidationError } from '@fireline/errors';
import type { OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';
import type { NotificationRuleMatch } from '../domain/notification-rule';

/** A channel as a client gives it: a webhook secret may be left out (one is then generated). */
export type ChannelInput = { type: 'webhook'; url: string; secret?: string } | { type: 'slack'; webhookUrl: string };

/** A partial match from a request -> a full one (absent list = no filter). */
export function normalizeMatch(match: Partial<NotificationRuleMatch> | undefined): NotificationRuleMatch {
  return { severities: match?.severities ?? [], services: match?.services ?? [], eventTypes: match?.eventTypes ?? [], kinds: match?.kinds ?? [] };
}

/** Stable code of a rule whose URL the outbound policy refuses (400). */
export const TARGET_NOT_ALLOWED = 'NOTIFICATION_RULE.TARGET_NOT_ALLOWED';

/**
 * Refuses a channel whose URL the outbound policy does not allow (see `OutboundDestinationGuard.targetRefusal`):
 * not https (unless `OUTBOUND_ALLOW_HTTP`), or a host that is or resolves to a loopback, private,
 * link-local, unique-local, metadata or other non-public address (unless `OUTBOUND_ALLOWED_HOSTS` names it).
 * @throws ValidationError `NOTIFICATION_RULE.TARGET_NOT_ALLOWED` with the field (`channel.url` or `channel.webhookUrl`).
 */
export async function assertTargetAllowed(guard: OutboundDestinationGuard, channel: ChannelInput): Promise<void> {
  const [field, url] = channel.type === 'webhook' ? ['channel.url', channel.url] : ['channel.webhookUrl', channel.webhookUrl];
  const reason = await guard.targetRefusal(url);
  if (reason !== null) throw new ValidationError(TARGET_NOT_ALLOWED, `${field} is not an allowed destination: it ${reason}`, [{ field, message: reason }]);
}
