import type { SecretBox } from '@fireline/secrets';

/**
 * What notification-service keeps encrypted at rest, and the context each value is bound to (its
 * table, column and row id: a value copied to another row does not open there):
 * - `notification_rules.webhook_secret` — the HMAC signing secret of a webhook rule;
 * - `notification_rules.target_url` — the webhook or Slack URL (a Slack incoming-webhook URL is a credential,
 *   and any URL may carry a password or a token);
 * - `deliveries.target_url` — the URL a queued delivery keeps from its rule or subscriber (`mailto:` for email);
 * - `deliveries.payload` — the body of a status-page subscriber's delivery (it carries the subscriber's
 *   unsubscribe link); rules' payloads stay in the clear;
 * - `status_page_subscribers.webhook_url`, `.webhook_secret`, `.unsubscribe_token` — a subscriber's
 *   endpoint, signing secret, and the token of its unsubscribe link;
 * - `statuspage_sync_configs.api_key` — the Atlassian Statuspage API key of a mirrored page.
 * Values written before encryption existed are read as they are until `resealNotificationSecrets` has
 * sealed them. Every method may throw `SecretBoxError` (a value of an unconfigured key, or tampered with).
 */
export class NotificationSecretBox {
  constructor(readonly box: SecretBox) {}

  static ruleSecretContext = (ruleId: string) => `notification_rules.webhook_secret:${ruleId}`;
  static ruleTargetUrlContext = (ruleId: string) => `notification_rules.target_url:${ruleId}`;
  static deliveryTargetUrlContext = (deliveryId: string) => `deliveries.target_url:${deliveryId}`;
  static deliveryPayloadContext = (deliveryId: string) => `deliveries.payload:${deliveryId}`;
  static subscriberColumnContext = (column: 'webhook_url' | 'webhook_secret' | 'unsubscribe_token', subscriberId: string) =>
    `status_page_subscribers.${column}:${subscriberId}`;
  static statuspageApiKeyContext = (pageId: string) => `statuspage_sync_configs.api_key:${pageId}`;

  /** What reads show instead of a value that does not open (its key is not configured): they never fail on it. */
  static readonly UNREADABLE = '(encrypted with a key that is not configured)';

  /** `open()`, or `UNREADABLE` when it throws: for masked reads only, never for sending. */
  static readableOr(open: () => string): string {
    try {
      return open();
    } catch {
      return NotificationSecretBox.UNREADABLE;
    }
  }

  sealRuleSecret(ruleId: string, secret: string): string {
    return this.box.seal(secret, NotificationSecretBox.ruleSecretContext(ruleId));
  }

  openRuleSecret(ruleId: string, stored: string): string {
    return this.box.openOrPlaintext(stored, NotificationSecretBox.ruleSecretContext(ruleId));
  }

  sealRuleTargetUrl(ruleId: string, url: string): string {
    return this.box.seal(url, NotificationSecretBox.ruleTargetUrlContext(ruleId));
  }

  openRuleTargetUrl(ruleId: string, stored: string): string {
    return this.box.openOrPlaintext(stored, NotificationSecretBox.ruleTargetUrlContext(ruleId));
  }

  sealDeliveryTargetUrl(deliveryId: string, url: string): string {
    return this.box.seal(url, NotificationSecretBox.deliveryTargetUrlContext(deliveryId));
  }

  openDeliveryTargetUrl(deliveryId: string, stored: string): string {
    return this.box.openOrPlaintext(stored, NotificationSecretBox.deliveryTargetUrlContext(deliveryId));
  }

  sealDeliveryPayload(deliveryId: string, payload: string): string {
    return this.box.seal(payload, NotificationSecretBox.deliveryPayloadContext(deliveryId));
  }

  /** A rule's payload is in the clear (it is returned as it is); a subscriber's is sealed. */
  openDeliveryPayload(deliveryId: string, stored: string): string {
    return this.box.openOrPlaintext(stored, NotificationSecretBox.deliveryPayloadContext(deliveryId));
  }

  sealSubscriberValue(column: 'webhook_url' | 'webhook_secret' | 'unsubscribe_token', subscriberId: string, value: string): string {
    return this.box.seal(value, NotificationSecretBox.subscriberColumnContext(column, subscriberId));
  }

  openSubscriberValue(column: 'webhook_url' | 'webhook_secret' | 'unsubscribe_token', subscriberId: string, stored: string): string {
    return this.box.open(stored, NotificationSecretBox.subscriberColumnContext(column, subscriberId));
  }

  sealStatuspageApiKey(pageId: string, apiKey: string): string {
    return this.box.seal(apiKey, NotificationSecretBox.statuspageApiKeyContext(pageId));
  }

  openStatuspageApiKey(pageId: string, stored: string): string {
    return this.box.open(stored, NotificationSecretBox.statuspageApiKeyContext(pageId));
  }
}
