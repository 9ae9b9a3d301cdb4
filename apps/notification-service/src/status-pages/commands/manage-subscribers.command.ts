import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ValidationError } from '@fireline/errors';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { START_NEW_ROUND_SQL } from '../../notifications/channels/delivery-queue';
import { generateWebhookSecret } from '../../notifications/channels/webhook-signature';
import { NOTIFICATION_PG_POOL, NOTIFICATION_SECRET_BOX, OUTBOUND_DESTINATION_GUARD } from '../../notifications/notification.tokens';
import type { NotificationSecretBox } from '../../notifications/secrets/notification-secret-box';
import type { OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';
import { newToken } from '../domain/subscription-tokens';
import { pageCopyById } from '../projections/status-page-copies';
import { subscriberNotFound } from '../projections/subscriber.query';
import { SUBSCRIBER_COLUMNS, toSubscriberView, type SubscriberRow, type SubscriberView } from '../projections/subscriber.view';
import { SUBSCRIPTION_ERRORS } from './subscribe-by-email.command';

/** Stable code of a webhook subscriber URL the outbound policy refuses (400, field `url`). */
export const SUBSCRIBER_TARGET_NOT_ALLOWED = 'STATUS_PAGE_SUBSCRIBER.TARGET_NOT_ALLOWED';

/**
 * `POST /v1/status-pages/{pageId}/subscribers`: a webhook subscriber, active at once (an operator adds
 * it), page-wide or for some components. Its URL must pass the outbound policy (https to a public
 * address; checked again on every connection); without a secret one is generated. URL and secret are
 * stored encrypted; the secret is in this answer only.
 * @throws NotFoundError `STATUS_PAGE.NOT_FOUND`; ValidationError `STATUS_PAGE_SUBSCRIBER.TARGET_NOT_ALLOWED`
 *   or `STATUS_PAGE_SUBSCRIPTION.UNKNOWN_COMPONENT`.
 */
export class AddWebhookSubscriber extends Command<SubscriberView> {
  constructor(
    readonly pageId: string,
    readonly input: { url: string; secret?: string; componentIds?: string[] },
  ) {
    super();
  }
}

/** See `AddWebhookSubscriber`. */
@CommandHandler(AddWebhookSubscriber)
export class AddWebhookSubscriberHandler implements ICommandHandler<AddWebhookSubscriber> {
  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
    @Inject(OUTBOUND_DESTINATION_GUARD) private readonly outbound: OutboundDestinationGuard,
  ) {}

  async execute({ pageId, input }: AddWebhookSubscriber): Promise<SubscriberView> {
    const page = await pageCopyById(this.pool, pageId);
    const refusal = await this.outbound.targetRefusal(input.url);
    if (refusal !== null) throw new ValidationError(SUBSCRIBER_TARGET_NOT_ALLOWED, `url is not an allowed destination: it ${refusal}`, [{ field: 'url', message: refusal }]);
    const componentIds = [...new Set(input.componentIds ?? [])];
    const known = new Set(page.components.map((c) => c.id));
    const unknown = componentIds.flatMap((id, i) => (known.has(id) ? [] : [{ field: `componentIds.${i}`, message: `${id} is not a component of this page` }]));
    if (unknown.length > 0) throw new ValidationError(SUBSCRIPTION_ERRORS.unknownComponent, 'The request names components this page does not have', unknown);
    const id = randomUUID();
    const secret = input.secret ?? generateWebhookSecret();
    const { rows } = await this.pool.query<SubscriberRow>(
      `INSERT INTO status_page_subscribers (id, page_id, channel_type, webhook_url, webhook_secret, component_ids, status, unsubscribe_token, confirmed_at)
       VALUES ($1, $2, 'webhook', $3, $4, $5, 'active', $6, now())
       RETURNING ${SUBSCRIBER_COLUMNS}`,
      [
        id,
        pageId,
        this.secrets.sealSubscriberValue('webhook_url', id, input.url),
        this.secrets.sealSubscriberValue('webhook_secret', id, secret),
        componentIds,
        this.secrets.sealSubscriberValue('unsubscribe_token', id, newToken()),
      ],
    );
    return toSubscriberView(rows[0], this.secrets, input.secret === undefined ? secret : undefined);
  }
}

/**
 * `DELETE /v1/status-pages/{pageId}/subscribers/{id}`: ends a subscription (kept as `unsubscribed` for
 * the delivery log; deliveries still queued are dropped unsent). Safe to repeat.
 * @throws NotFoundError `STATUS_PAGE_SUBSCRIBER.NOT_FOUND`.
 */
export class RemoveSubscriber extends Command<void> {
  constructor(
    readonly pageId: string,
    readonly subscriberId: string,
  ) {
    super();
  }
}

/** See `RemoveSubscriber`. */
@CommandHandler(RemoveSubscriber)
export class RemoveSubscriberHandler implements ICommandHandler<RemoveSubscriber> {
  constructor(@Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool) {}

  async execute({ pageId, subscriberId }: RemoveSubscriber): Promise<void> {
    const found = await this.pool.query(`SELECT 1 FROM status_page_subscribers WHERE id = $1 AND page_id = $2`, [subscriberId, pageId]);
    if (found.rowCount === 0) throw subscriberNotFound(pageId, subscriberId);
    await this.pool.query(
      `UPDATE status_page_subscribers SET status = 'unsubscribed', unsubscribed_at = now(), confirm_token_hash = NULL, confirm_expires_at = NULL, updated_at = now()
        WHERE id = $1 AND status <> 'unsubscribed'`,
      [subscriberId],
    );
  }
}

/**
 * `POST /v1/status-pages/{pageId}/subscribers/{id}/unquarantine`: the subscriber gets new deliveries
 * again and its count of dead letters in a row starts over. With `retryDeadLetters`, its dead-lettered
 * deliveries (at most 1000, oldest first) are re-queued for a new round too. Safe to repeat.
 * @throws NotFoundError `STATUS_PAGE_SUBSCRIBER.NOT_FOUND`.
 */
export class UnquarantineSubscriber extends Command<{ subscriber: SubscriberView; requeuedDeliveryIds: string[] }> {
  constructor(
    readonly pageId: string,
    readonly subscriberId: string,
    readonly retryDeadLetters: boolean,
  ) {
    super();
  }
}

/** Most dead letters one unquarantine re-queues. */
export const UNQUARANTINE_REQUEUE_LIMIT = 1_000;

/** See `UnquarantineSubscriber`. */
@CommandHandler(UnquarantineSubscriber)
export class UnquarantineSubscriberHandler implements ICommandHandler<UnquarantineSubscriber> {
  constructor(
    @Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool,
    @Inject(NOTIFICATION_SECRET_BOX) private readonly secrets: NotificationSecretBox,
  ) {}

  async execute({ pageId, subscriberId, retryDeadLetters }: UnquarantineSubscriber): Promise<{ subscriber: SubscriberView; requeuedDeliveryIds: string[] }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<SubscriberRow>(
        `UPDATE status_page_subscribers SET quarantined_at = NULL, quarantine_reason = NULL, consecutive_dead_letters = 0, updated_at = now()
          WHERE id = $1 AND page_id = $2
          RETURNING ${SUBSCRIBER_COLUMNS}`,
        [subscriberId, pageId],
      );
      if (!rows[0]) throw subscriberNotFound(pageId, subscriberId);
      let requeued: string[] = [];
      if (retryDeadLetters && rows[0].status !== 'unsubscribed') {
        const result = await client.query<{ id: string; seq: string }>(
          `WITH picked AS (
             SELECT id, seq FROM deliveries WHERE subscriber_id = $1 AND status = 'dead_lettered' ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
           )
           UPDATE deliveries d SET ${START_NEW_ROUND_SQL} FROM picked WHERE d.id = picked.id
           RETURNING d.id, picked.seq`,
          [subscriberId, UNQUARANTINE_REQUEUE_LIMIT],
        );
        requeued = result.rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).map((row) => row.id);
      }
      await client.query('COMMIT');
      return { subscriber: toSubscriberView(rows[0], this.secrets), requeuedDeliveryIds: requeued };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
