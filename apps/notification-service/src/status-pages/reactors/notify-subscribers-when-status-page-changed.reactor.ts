import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { TOPICS, type IntegrationEvent, type StatusPageIntegrationEventV1, type TopicName } from '@fireline/contracts';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import type { NotificationServiceConfig } from '../../config/notification-service.config';
import { DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG } from '../../config/status-page-notifications.config';
import { insertSubscriberDeliveries, type NewSubscriberDelivery } from '../../notifications/channels/delivery-queue';
import type { SmtpMailer } from '../../notifications/channels/smtp.mailer';
import { targetOriginOf } from '../../notifications/domain/notification-rule';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX, NOTIFICATION_SERVICE_CONFIG } from '../../notifications/notification.tokens';
import type { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';
import { asStatusPageEventV1, pageCopyAfter } from '../domain/status-page-copy';
import { notificationOf, wantsNotification, type StatusPageNotification } from '../domain/status-page-notification';
import { statuspageWebhookBody } from '../domain/statuspage-webhook-body';
import { notificationEmail, type QueuedEmail } from '../domain/subscription-email';
import { unsubscribeLink } from '../domain/subscription-links';
import { lockedPageCopy, savePageCopy } from '../projections/status-page-copies';
import { SMTP_MAILER } from '../status-pages.tokens';

interface SubscriberRow {
  id: string;
  channel_type: 'email' | 'webhook';
  email: string | null;
  webhook_url: string | null;
  component_ids: string[];
  unsubscribe_token: string;
}

/**
 * Consumes `fireline.status-pages.v1` as `notification-service.status-page-subscribers`. For each event,
 * in the inbox transaction (a redelivered event changes and queues nothing twice):
 * 1. keeps this service's copy of the page (`status_page_copies`);
 * 2. when the event is something subscribers are told about (`notificationOf`), queues one delivery per
 *    active, unquarantined subscriber that wants it (page-wide, or one of its components concerned): a
 *    Statuspage-shaped webhook body (signed with the subscriber's secret when sent) or an email, each
 *    with the subscriber's unsubscribe link. Sending, retries, the breaker and dead-letters are the
 *    delivery worker's, as for notification rules.
 * Without an SMTP server, email subscribers are skipped (logged); they cannot have been confirmed
 * without one, unless SMTP was configured before.
 */
@Injectable()
export class NotifySubscribersWhenStatusPageChangedReactor {
  static readonly topic: TopicName = TOPICS.statusPages;
  static readonly consumer = 'notification-service.status-page-subscribers';
  private readonly logger = new Logger(NotifySubscribersWhenStatusPageChangedReactor.name);
  private readonly publicBaseUrl: string;

  constructor(
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
    @Inject(NOTIFICATION_SERVICE_CONFIG) config: NotificationServiceConfig,
    @Inject(SMTP_MAILER) private readonly mailer: SmtpMailer | null,
  ) {
    this.publicBaseUrl = (config.statusPages ?? DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG).publicBaseUrl;
  }

  /** Registers with the transport; called once from the module's `onModuleInit`. */
  subscribe(): void {
    this.transport.subscribe({
      topic: NotifySubscribersWhenStatusPageChangedReactor.topic,
      consumer: NotifySubscribersWhenStatusPageChangedReactor.consumer,
      pool: this.pool,
      handle: (event, tx) => this.handle(event, tx),
    });
  }

  async handle(envelope: IntegrationEvent, tx: PoolClient): Promise<void> {
    const event = asStatusPageEventV1(envelope);
    if (event === null) return; // not a v1 status-page event we understand: acknowledge
    await this.keepCopy(event, tx);
    const notification = notificationOf(event);
    if (notification === null) return;
    const { rows } = await tx.query<SubscriberRow>(
      `SELECT id, channel_type, email, webhook_url, component_ids, unsubscribe_token
         FROM status_page_subscribers
        WHERE page_id = $1 AND status = 'active' AND quarantined_at IS NULL
        ORDER BY seq`,
      [event.data.pageId],
    );
    const deliveries = rows
      .filter((row) => wantsNotification({ componentIds: row.component_ids }, notification))
      .flatMap((row) => this.deliveryFor(row, notification));
    await insertSubscriberDeliveries(tx, deliveries, this.secrets);
  }

  private async keepCopy(event: StatusPageIntegrationEventV1, tx: PoolClient): Promise<void> {
    const known = await lockedPageCopy(tx, event.data.pageId);
    if (known !== null && known.lastEventAt.getTime() > Date.parse(event.occurredAt)) return;
    await savePageCopy(tx, pageCopyAfter(event, known?.copy ?? null), event.occurredAt);
  }

  private deliveryFor(row: SubscriberRow, notification: StatusPageNotification): NewSubscriberDelivery[] {
    let token: string;
    let webhookUrl: string | null = null;
    try {
      token = this.secrets.openSubscriberValue('unsubscribe_token', row.id, row.unsubscribe_token);
      if (row.webhook_url !== null) webhookUrl = this.secrets.openSubscriberValue('webhook_url', row.id, row.webhook_url);
    } catch (error) {
      // One subscriber whose key is missing must not hold back everyone else's notification.
      this.logger.error(`Subscriber ${row.id} not notified of event ${notification.eventId}: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
    const unsubscribe = unsubscribeLink(this.publicBaseUrl, notification.page.slug, row.id, token);
    const common = {
      id: randomUUID(),
      subscriberId: row.id,
      statusPageId: notification.page.id,
      eventId: notification.eventId,
      eventType: notification.eventType,
      incidentId: notification.kind === 'incident' ? notification.incident.id : null,
    };
    if (row.channel_type === 'webhook' && webhookUrl !== null) {
      const body = JSON.stringify(statuspageWebhookBody(notification, unsubscribe));
      return [{ ...common, channelType: 'webhook', target: webhookUrl, targetOrigin: targetOriginOf(webhookUrl), payload: body }];
    }
    if (row.channel_type === 'email' && row.email !== null) {
      if (this.mailer === null) {
        this.logger.warn(`Email subscriber ${row.id} not notified of event ${notification.eventId}: no SMTP server is configured (SMTP_URL or SMTP_HOST)`);
        return [];
      }
      const email: QueuedEmail = { to: row.email, listUnsubscribe: unsubscribe, ...notificationEmail(notification, unsubscribe) };
      return [{ ...common, channelType: 'email', target: `mailto:${row.email}`, targetOrigin: this.mailer.origin, payload: JSON.stringify(email) }];
    }
    return [];
  }
}
