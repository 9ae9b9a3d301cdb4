import type { IncidentEventKindV1, IncidentIntegrationEventTypeV1, SeverityV1 } from '@fireline/contracts';
import { secretPreviewOf } from '../domain/notification-rule';
import { maskedTargetUrl } from '../domain/target-url.mask';
import { NotificationSecretBox } from '../secrets/notification-secret-box';
import type { NotificationRuleEntity } from './notification-rule.entity';

/** What a rule matches; an empty list matches anything. */
export class NotificationRuleMatchView {
  severities!: SeverityV1[];
  services!: string[];
  eventTypes!: IncidentIntegrationEventTypeV1[];
  kinds!: IncidentEventKindV1[];
}

/** A signed outbound webhook target. */
export class WebhookChannelView {
  type!: 'webhook';
  /** Masked: user name, password, token-looking segments and secret query values show as `…` + last 4. */
  url!: string;
  /** `…` plus the secret's last 4 characters. */
  secretPreview!: string;
  /** The full secret: only in the response that created or generated it, never again. */
  secret?: string;
}

/** A Slack incoming-webhook target. */
export class SlackChannelView {
  type!: 'slack';
  /** Masked (`https://hooks.slack.com/services/T…/B…/…abcd`): the URL is the credential. */
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

/**
 * Maps a row to its view, URLs masked and the secret shown as a preview; `revealSecret` only for the
 * response that set a generated secret. Opens the row's sealed values with `secrets`; one sealed
 * with a key that is not configured shows as `NotificationSecretBox.UNREADABLE`.
 */
export function toNotificationRuleView(entity: NotificationRuleEntity, secrets: NotificationSecretBox, revealSecret = false): NotificationRuleView {
  let channel: WebhookChannelView | SlackChannelView;
  const readable = NotificationSecretBox.readableOr;
  const url = readable(() => maskedTargetUrl(secrets.openRuleTargetUrl(entity.id, entity.targetUrl)));
  switch (entity.channelType) {
    case 'webhook': {
      const stored = entity.webhookSecret ?? '';
      const secret = readable(() => secrets.openRuleSecret(entity.id, stored));
      channel = { type: 'webhook', url, secretPreview: secret === NotificationSecretBox.UNREADABLE ? secret : secretPreviewOf(secret), ...(revealSecret ? { secret } : {}) };
      break;
    }
    case 'slack':
      channel = { type: 'slack', webhookUrl: url };
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
    match: { severities: entity.matchSeverities, services: entity.matchServices, eventTypes: entity.matchEventTypes, kinds: entity.matchKinds ?? [] },
    channel,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}
