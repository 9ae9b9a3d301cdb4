import type { QueuedEmail } from './subscription-email';

/** `…` + the last 4 characters of a token in a URL's `token` parameter. */
export function maskedTokenUrl(url: string): string {
  return url.replace(/([?&]token=)([^&#]*)/g, (_all, head: string, token: string) => `${head}…${token.slice(-4)}`);
}

/**
 * What the delivery log shows of a subscriber's delivery body (opened from its sealed form): a webhook
 * body with the unsubscribe link's token masked; of an email, its subject and recipient (its text and
 * HTML carry the unsubscribe link, or the confirmation link, which must not be read back).
 */
export function displayedSubscriberPayload(channelType: string, payload: string): unknown {
  const parsed = JSON.parse(payload) as unknown;
  if (channelType === 'email') {
    const email = parsed as Partial<QueuedEmail>;
    return { to: email.to, subject: email.subject, listUnsubscribe: typeof email.listUnsubscribe === 'string' ? maskedTokenUrl(email.listUnsubscribe) : null };
  }
  const body = parsed as { meta?: { unsubscribe?: unknown } };
  if (typeof body.meta?.unsubscribe === 'string') body.meta.unsubscribe = maskedTokenUrl(body.meta.unsubscribe);
  return body;
}
