import type { SecretBox } from '@fireline/secrets';

/**
 * What notification-service keeps encrypted at rest, and the context each value is bound to (its
 * table, column and row id: a value copied to another row does not open there):
 * - `notification_rules.webhook_secret` — the HMAC signing secret of a webhook rule;
 * - `notification_rules.target_url` — the webhook or Slack URL (a Slack incoming-webhook URL is a credential,
 *   and any URL may carry a password or a token);
 * - `deliveries.target_url` — the URL a queued delivery keeps from its rule.
 * Values written before encryption existed are read as they are until `resealNotificationSecrets` has
 * sealed them. Every method may throw `SecretBoxError` (a value of an unconfigured key, or tampered with).
 */
export class NotificationSecretBox {
  constructor(readonly box: SecretBox) {}

  static ruleSecretContext = (ruleId: string) => `notification_rules.webhook_secret:${ruleId}`;
  static ruleTargetUrlContext = (ruleId: string) => `notification_rules.target_url:${ruleId}`;
  static deliveryTargetUrlContext = (deliveryId: string) => `deliveries.target_url:${deliveryId}`;

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
}
