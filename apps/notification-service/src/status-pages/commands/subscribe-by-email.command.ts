import { Inject, Logger } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { IllegalStateError, RateLimitedError, ValidationError } from '@fireline/errors';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { NotificationServiceConfig } from '../../config/notification-service.config';
import { DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG, type StatusPageNotificationsConfig } from '../../config/status-page-notifications.config';
import { insertSubscriberDeliveries } from '../../notifications/channels/delivery-queue';
import type { SmtpMailer } from '../../notifications/channels/smtp.mailer';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX, NOTIFICATION_SERVICE_CONFIG } from '../../notifications/notification.tokens';
import type { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';
import type { StatusPageCopy } from '../domain/status-page-copy';
import { confirmationEmail, type QueuedEmail } from '../domain/subscription-email';
import { confirmLink } from '../domain/subscription-links';
import { addressKey, newToken, normalizedEmail, tokenHash } from '../domain/subscription-tokens';
import { pageCopyBySlug } from '../projections/status-page-copies';
import { SMTP_MAILER, SUBSCRIBE_THROTTLER_STORAGE } from '../status-pages.tokens';

/** The window of the per-client-address and per-email-address limits of the subscribe route. */
export const SUBSCRIBE_WINDOW_MS = 3_600_000;

/** Stable codes of the public subscribe route. */
export const SUBSCRIPTION_ERRORS = {
  emailDisabled: 'STATUS_PAGE_SUBSCRIPTION.EMAIL_DISABLED',
  unknownComponent: 'STATUS_PAGE_SUBSCRIPTION.UNKNOWN_COMPONENT',
  tooManyPending: 'STATUS_PAGE_SUBSCRIPTION.TOO_MANY_PENDING',
  tooManyRequests: 'REQUEST.TOO_MANY_REQUESTS',
} as const;

/**
 * `POST /status/{slug}/subscriptions`: asks for email notifications of a page, page-wide or for some of
 * its components. Double opt-in: the subscription stays `pending` (it gets nothing) until the link of
 * the confirmation email is used. The outcome is the same whatever is known of the address (new,
 * pending, already active, over its hourly limit), so the answer tells nothing about who subscribed.
 * @throws RateLimitedError `REQUEST.TOO_MANY_REQUESTS` past the per-client-address limit, or
 *   `STATUS_PAGE_SUBSCRIPTION.TOO_MANY_PENDING` when the page holds its maximum of unconfirmed subscriptions;
 *   NotFoundError `STATUS_PAGE.NOT_FOUND`; IllegalStateError `STATUS_PAGE_SUBSCRIPTION.EMAIL_DISABLED`
 *   without an SMTP server; ValidationError `STATUS_PAGE_SUBSCRIPTION.UNKNOWN_COMPONENT`.
 */
export class SubscribeByEmail extends Command<void> {
  constructor(
    readonly slug: string,
    readonly email: string,
    readonly componentIds: readonly string[],
    /** The client's address, for the per-address limit (behind a proxy: the proxy's, see the README). */
    readonly clientIp: string,
  ) {
    super();
  }
}

/** See `SubscribeByEmail`. */
@CommandHandler(SubscribeByEmail)
export class SubscribeByEmailHandler implements ICommandHandler<SubscribeByEmail> {
  private readonly logger = new Logger(SubscribeByEmailHandler.name);
  private readonly settings: StatusPageNotificationsConfig;

  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
    @Inject(NOTIFICATION_SERVICE_CONFIG) config: NotificationServiceConfig,
    @Inject(SMTP_MAILER) private readonly mailer: SmtpMailer | null,
    @Inject(SUBSCRIBE_THROTTLER_STORAGE) private readonly throttler: ThrottlerStorageService,
  ) {
    this.settings = config.statusPages ?? DEFAULT_STATUS_PAGE_NOTIFICATIONS_CONFIG;
  }

  async execute(command: SubscribeByEmail): Promise<void> {
    const perIp = await this.throttler.increment(`ip:${command.clientIp}`, SUBSCRIBE_WINDOW_MS, this.settings.subscribe.maxPerIpPerHour, 0, 'status-page-subscribe');
    if (perIp.isBlocked) {
      throw new RateLimitedError(SUBSCRIPTION_ERRORS.tooManyRequests, 'Too many subscription requests from this address; try again later', {
        limit: this.settings.subscribe.maxPerIpPerHour,
        resetS: Math.max(1, Math.ceil(perIp.timeToBlockExpire)),
      });
    }
    const page = await pageCopyBySlug(this.pool, command.slug);
    const mailer = this.mailer;
    if (mailer === null) {
      throw new IllegalStateError(SUBSCRIPTION_ERRORS.emailDisabled, 'Email subscriptions are not available: this Fireline has no SMTP server configured (SMTP_URL or SMTP_HOST)');
    }
    const componentIds = [...new Set(command.componentIds)];
    const known = new Set(page.components.map((c) => c.id));
    const unknown = componentIds.flatMap((id, i) => (known.has(id) ? [] : [{ field: `componentIds.${i}`, message: `${id} is not a component of this page` }]));
    if (unknown.length > 0) throw new ValidationError(SUBSCRIPTION_ERRORS.unknownComponent, 'The request names components this page does not have', unknown);

    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await this.subscribe(client, page, normalizedEmail(command.email), componentIds, mailer);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async subscribe(tx: PoolClient, page: StatusPageCopy, email: string, componentIds: string[], mailer: SmtpMailer): Promise<void> {
    const { confirmationTtlMs, maxPendingPerPage, maxPerAddressPerHour } = this.settings.subscribe;
    // Expired, unconfirmed subscriptions go: they are what the bound on pending ones counts.
    await tx.query(`DELETE FROM status_page_subscribers WHERE page_id = $1 AND status = 'pending' AND confirm_expires_at < now()`, [page.id]);

    const existing = await tx.query<{ id: string; status: 'pending' | 'active' }>(
      `SELECT id, status FROM status_page_subscribers WHERE page_id = $1 AND email_key = $2 AND channel_type = 'email' AND status <> 'unsubscribed' FOR UPDATE`,
      [page.id, email],
    );
    const current = existing.rows[0];
    // Already confirmed: nothing changes (a stranger must not alter or re-confirm someone's subscription).
    if (current?.status === 'active') return;
    if (current === undefined) {
      const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM status_page_subscribers WHERE page_id = $1 AND status = 'pending'`, [page.id]);
      if (rows[0].n >= maxPendingPerPage) {
        throw new RateLimitedError(SUBSCRIPTION_ERRORS.tooManyPending, 'This page has too many unconfirmed subscriptions; try again later', {
          limit: maxPendingPerPage,
          resetS: Math.ceil(confirmationTtlMs / 1000),
        });
      }
    }
    // The per-address limit, shared by every instance: one counter row per address and hour.
    const counted = await tx.query<{ count: number }>(
      `INSERT INTO status_page_subscribe_requests (address_hash, window_start, count) VALUES ($1, date_trunc('hour', now()), 1)
       ON CONFLICT (address_hash, window_start) DO UPDATE SET count = status_page_subscribe_requests.count + 1
       RETURNING count`,
      [addressKey(email)],
    );
    await tx.query(`DELETE FROM status_page_subscribe_requests WHERE address_hash = $1 AND window_start < date_trunc('hour', now())`, [addressKey(email)]);
    if (counted.rows[0].count > maxPerAddressPerHour) {
      this.logger.warn(`Subscription to ${page.slug}: confirmation not sent, the address is over its ${maxPerAddressPerHour} per hour`);
      return;
    }

    const token = newToken();
    let subscriberId: string;
    if (current === undefined) {
      subscriberId = randomUUID();
      const inserted = await tx.query(
        `INSERT INTO status_page_subscribers (id, page_id, channel_type, email, email_key, component_ids, status, confirm_token_hash, confirm_expires_at, unsubscribe_token)
         VALUES ($1, $2, 'email', $3, $3, $4, 'pending', $5, now() + make_interval(secs => $6::double precision / 1000), $7)
         ON CONFLICT (page_id, email_key) WHERE channel_type = 'email' AND status <> 'unsubscribed' DO NOTHING`,
        [subscriberId, page.id, email, componentIds, tokenHash(token), confirmationTtlMs, this.secrets.sealSubscriberValue('unsubscribe_token', subscriberId, newToken())],
      );
      // A concurrent request for the same address won: it sends the confirmation.
      if (inserted.rowCount === 0) return;
    } else {
      subscriberId = current.id;
      await tx.query(
        `UPDATE status_page_subscribers
            SET component_ids = $2, confirm_token_hash = $3, confirm_expires_at = now() + make_interval(secs => $4::double precision / 1000), updated_at = now()
          WHERE id = $1`,
        [subscriberId, componentIds, tokenHash(token), confirmationTtlMs],
      );
    }
    const content = confirmationEmail(page, confirmLink(this.settings.publicBaseUrl, page.slug, token), confirmationTtlMs);
    const email_: QueuedEmail = { to: email, listUnsubscribe: null, ...content };
    const id = randomUUID();
    await insertSubscriberDeliveries(
      tx,
      [
        {
          id,
          subscriberId,
          statusPageId: page.id,
          eventId: id,
          eventType: 'SubscriptionConfirmationRequested',
          incidentId: null,
          channelType: 'email',
          target: `mailto:${email}`,
          targetOrigin: mailer.origin,
          payload: JSON.stringify(email_),
        },
      ],
      this.secrets,
    );
  }
}
