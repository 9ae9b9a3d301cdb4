import type { IncidentIntegrationEventTypeV1, SeverityV1 } from '@fireline/contracts';
import { secretPreviewOf } from '../domain/notification-rule';
import type { NotificationRuleEntity } from './notification-rule.entity';

/** What a rule matches; an empty list matches anything. */
export class NotificationRuleMatchView {
  severities!: SeverityV1[];
  services!: string[];
  eventTypes!: IncidentIntegrationEventTypeV1[];
}

/** A signed outbound webhook target. */
export class WebhookChannelView {
  type!: 'webhook';
  url!: string;
  /** `…` plus the secret's last 4 characters. */
  secretPreview!: string;
  /** The full secret: only in the response that created or generated it, never again. */
  secret?: string;
}

/** A Slack incoming-webhook target. */
export class SlackChannelView {
  type!: 'slack';
  webhookUrl!: string;
}

/** A notification rule as the API returns it. Times are ISO-8601 UTC. */
export class NotificationRuleView {
  id!: string;
  name!: string;
  enabled!: boolean;
  match!: NotificationRuleMatchView;
  channel!: WebhookChannelView | SlackChannelView;
  createdAt!: string;
  updatedAt!: string;
}

/** Maps a row to its view; `revealSecret` only for the response that set a generated secret. */
export function toNotificationRuleView(entity: NotificationRuleEntity, revealSecret = false): NotificationRuleView {
  let channel: WebhookChannelView | SlackChannelView;
  switch (entity.channelType) {
    case 'webhook': {
      const secret = entity.webhookSecret ?? '';
      channel = { type: 'webhook', url: entity.targetUrl, secretPreview: secretPreviewOf(secret), ...(revealSecret ? { secret } : {}) };
      break;
    }
    case 'slack':
      channel = { type: 'slack', webhookUrl: entity.targetUrl };
      break;
    default: {
      const exhaustive: never = entity.channelType;
      channel = exhaustive;
    }
  }
  return {
    id: entity.id,
    name: entity.name,
    enabled: entity.enabled,
    match: { severities: entity.matchSeverities, services: entity.matchServices, eventTypes: entity.matchEventTypes },
    channel,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}
