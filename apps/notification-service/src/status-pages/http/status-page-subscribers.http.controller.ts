import { RequireScopes } from '@fireline/auth';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { IdempotencyInterceptorFor, pageLimitOf, uuidParam } from '@fireline/http';
import { NOTIFICATION_PG_POOL } from '../../notifications/notification.tokens';
import { AddWebhookSubscriber, RemoveSubscriber, UnquarantineSubscriber } from '../commands/manage-subscribers.command';
import { GetSubscriber, ListSubscribers } from '../projections/subscriber.query';
import type { SubscriberPageView, SubscriberView } from '../projections/subscriber.view';
import { AddWebhookSubscriberRequestDto, ListSubscribersRequestDto, UnquarantineSubscriberRequestDto } from './status-page-subscriber.request.dto';

/** Drops a generated secret (`webhook.secret`) from the copy of a response kept for `Idempotency-Key` replays. */
function withoutGeneratedSecret(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const subscriber = body as { webhook?: Record<string, unknown> | null };
  if (!subscriber.webhook || !('secret' in subscriber.webhook)) return body;
  const { secret: _secret, ...webhook } = subscriber.webhook;
  return { ...subscriber, webhook };
}

/**
 * Management of a status page's subscribers (notification-service keeps them; the page itself is
 * incident-service's). Webhook subscribers are added here; email subscribers subscribe themselves on the
 * public routes (double opt-in). A subscriber whose notifications keep being dead-lettered is
 * quarantined; `unquarantine` lifts it.
 */
@ApiTags('status page subscribers')
@Controller('v1/status-pages')
@UseInterceptors(IdempotencyInterceptorFor(NOTIFICATION_PG_POOL, { redactStoredBody: withoutGeneratedSecret }))
export class StatusPageSubscribersHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  /** Oldest first, `limit` (≤ 100, default 50) per page; filters `status`, `channel`, `quarantined`. 404 for a page this service has not heard of. */
  @RequireScopes('status-pages:read')
  @Get(':pageId/subscribers')
  list(@Param('pageId', uuidParam('pageId')) pageId: string, @Query() query: ListSubscribersRequestDto): Promise<SubscriberPageView> {
    return this.queryBus.execute(
      new ListSubscribers(pageId, { status: query.status, channel: query.channel, quarantined: query.quarantined, limit: pageLimitOf(query), cursor: query.cursor }),
    );
  }

  @RequireScopes('status-pages:read')
  @Get(':pageId/subscribers/:subscriberId')
  get(@Param('pageId', uuidParam('pageId')) pageId: string, @Param('subscriberId', uuidParam('subscriberId')) subscriberId: string): Promise<SubscriberView> {
    return this.queryBus.execute(new GetSubscriber(pageId, subscriberId));
  }

  /**
   * 201 with a webhook subscriber, active at once, page-wide or for `componentIds`. Its URL must pass
   * the outbound policy (400 `STATUS_PAGE_SUBSCRIBER.TARGET_NOT_ALLOWED`); a generated secret is in
   * `webhook.secret` here only.
   */
  @RequireScopes('status-pages:write')
  @Post(':pageId/subscribers')
  add(@Param('pageId', uuidParam('pageId')) pageId: string, @Body() body: AddWebhookSubscriberRequestDto): Promise<SubscriberView> {
    return this.commandBus.execute(new AddWebhookSubscriber(pageId, { url: body.url, secret: body.secret, componentIds: body.componentIds }));
  }

  /** 204: the subscription ends (kept as `unsubscribed`; queued deliveries are dropped unsent). Safe to repeat. */
  @RequireScopes('status-pages:write')
  @Delete(':pageId/subscribers/:subscriberId')
  @HttpCode(204)
  async remove(@Param('pageId', uuidParam('pageId')) pageId: string, @Param('subscriberId', uuidParam('subscriberId')) subscriberId: string): Promise<void> {
    await this.commandBus.execute(new RemoveSubscriber(pageId, subscriberId));
  }

  /** 200 `{ subscriber, requeuedDeliveryIds }`: new deliveries again; with `retryDeadLetters=true` its dead letters are re-queued. Safe to repeat. */
  @RequireScopes('status-pages:write')
  @Post(':pageId/subscribers/:subscriberId/unquarantine')
  @HttpCode(200)
  unquarantine(
    @Param('pageId', uuidParam('pageId')) pageId: string,
    @Param('subscriberId', uuidParam('subscriberId')) subscriberId: string,
    @Query() query: UnquarantineSubscriberRequestDto,
  ): Promise<{ subscriber: SubscriberView; requeuedDeliveryIds: string[] }> {
    return this.commandBus.execute(new UnquarantineSubscriber(pageId, subscriberId, query.retryDeadLetters ?? false));
  }
}
