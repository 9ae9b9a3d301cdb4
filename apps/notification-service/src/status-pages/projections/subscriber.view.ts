import { maskedTargetUrl } from '../../notifications/domain/target-url.mask';
import { secretPreviewOf } from '../../notifications/domain/notification-rule';
import { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';

/** A webhook subscriber's endpoint as reads show it; `secret` only in the answer that created it. */
export class SubscriberWebhookView {
  /** Masked like a rule's URL (`…` + last 4 of every credential-looking part). */
  url!: string;
  /** `…` + the secret's last 4 characters. */
  secretPreview!: string;
  /** The signing secret, in full: in the create answer only (it is stored encrypted, never shown again). */
  secret?: string;
}

/**
 * A status-page subscriber (management API). `status`: `pending` (email awaiting its double opt-in),
 * `active`, `unsubscribed`. `quarantined`: its deliveries kept failing (`consecutiveDeadLetters`
 * dead-lettered notifications in a row), so it gets no new deliveries until unquarantined.
 * `componentIds` empty = the whole page.
 */
export class SubscriberView {
  id!: string;
  pageId!: string;
  channel!: 'email' | 'webhook';
  /** The address of an email subscriber, else null. */
  email!: string | null;
  webhook!: SubscriberWebhookView | null;
  componentIds!: string[];
  status!: 'pending' | 'active' | 'unsubscribed';
  quarantined!: boolean;
  quarantinedAt!: string | null;
  quarantineReason!: string | null;
  consecutiveDeadLetters!: number;
  createdAt!: string;
  confirmedAt!: string | null;
  unsubscribedAt!: string | null;
}

/** A page of subscribers, oldest first. Pass `nextCursor` back as `cursor`; null = last page. */
export class SubscriberPageView {
  items!: SubscriberView[];
  nextCursor!: string | null;
}

/** The `status_page_subscribers` columns a view is made of. */
export interface SubscriberRow {
  id: string;
  seq: string;
  page_id: string;
  channel_type: 'email' | 'webhook';
  email: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  component_ids: string[];
  status: 'pending' | 'active' | 'unsubscribed';
  quarantined_at: Date | null;
  quarantine_reason: string | null;
  consecutive_dead_letters: number;
  created_at: Date;
  confirmed_at: Date | null;
  unsubscribed_at: Date | null;
}

export const SUBSCRIBER_COLUMNS = `id, seq, page_id, channel_type, email, webhook_url, webhook_secret, component_ids, status, quarantined_at, quarantine_reason,
  consecutive_dead_letters, created_at, confirmed_at, unsubscribed_at`;

/** A row as the API shows it: URL and secret opened and masked (`UNREADABLE` when their key is missing, never an error). */
export function toSubscriberView(row: SubscriberRow, secrets: NotificationSecretBox, shownSecret?: string): SubscriberView {
  const webhook =
    row.channel_type === 'webhook' && row.webhook_url !== null && row.webhook_secret !== null
      ? {
          url: NotificationSecretBox.readableOr(() => maskedTargetUrl(secrets.openSubscriberValue('webhook_url', row.id, row.webhook_url!))),
          secretPreview: NotificationSecretBox.readableOr(() => secretPreviewOf(secrets.openSubscriberValue('webhook_secret', row.id, row.webhook_secret!))),
          ...(shownSecret !== undefined ? { secret: shownSecret } : {}),
        }
      : null;
  return {
    id: row.id,
    pageId: row.page_id,
    channel: row.channel_type,
    email: row.email,
    webhook,
    componentIds: row.component_ids,
    status: row.status,
    quarantined: row.quarantined_at !== null,
    quarantinedAt: row.quarantined_at?.toISOString() ?? null,
    quarantineReason: row.quarantine_reason,
    consecutiveDeadLetters: row.consecutive_dead_letters,
    createdAt: row.created_at.toISOString(),
    confirmedAt: row.confirmed_at?.toISOString() ?? null,
    unsubscribedAt: row.unsubscribed_at?.toISOString() ?? null,
  };
}
