import type { IncidentEventKindV1, IncidentIntegrationEventTypeV1, SeverityV1 } from '@fireline/contracts';

/**
 * Which incident events a rule wants. Every list is a filter that an empty list switches off (matches
 * any); the filters are ANDed, the values inside one list ORed.
 */
export interface NotificationRuleMatch {
  severities: SeverityV1[];
  services: string[];
  eventTypes: IncidentIntegrationEventTypeV1[];
  /** `lifecycle`, `alert_churn` (e.g. `['lifecycle']`: not notified of alerts joining or leaving a group). */
  kinds: IncidentEventKindV1[];
}

/** A signed JSON POST to a subscriber's endpoint (see `webhook-signature.ts`). */
export interface WebhookChannel {
  type: 'webhook';
  url: string;
  /** HMAC key; its UTF-8 bytes are the key. Stored, never returned after creation. */
  secret: string;
}

/** A Slack incoming webhook (https://api.slack.com/messaging/webhooks): unsigned, Block Kit body. */
export interface SlackChannel {
  type: 'slack';
  webhookUrl: string;
}

export type NotificationChannel = WebhookChannel | SlackChannel;
export type NotificationChannelType = NotificationChannel['type'];

/** What a delivery goes out as: a rule's channel, or `email` (status-page subscribers, over SMTP). */
export type DeliveryChannelType = NotificationChannelType | 'email';

export interface NotificationRule {
  id: string;
  name: string;
  enabled: boolean;
  match: NotificationRuleMatch;
  channel: NotificationChannel;
}

/** The URL a channel posts to. */
export function targetUrlOf(channel: NotificationChannel): string {
  switch (channel.type) {
    case 'webhook':
      return channel.url;
    case 'slack':
      return channel.webhookUrl;
    default: {
      const exhaustive: never = channel;
      return exhaustive;
    }
  }
}

/**
 * The origin of a target URL (`https://hooks.example.com:8443`: scheme, host and port, as the WHATWG
 * URL Standard serialises it — lower-case host, default port dropped, no credentials or path): the key of
 * the delivery circuit breaker, so that every rule posting to one server shares its breaker. A URL that
 * does not parse (rules are validated, so only old data) is its own key.
 */
export function targetOriginOf(url: string): string {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? url : origin;
  } catch {
    return url;
  }
}

/** `…a1b2`: the last 4 characters, so that an operator can tell secrets apart without seeing them. */
export function secretPreviewOf(secret: string): string {
  return `…${secret.slice(-4)}`;
}
