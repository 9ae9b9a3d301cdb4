import { RequireScopes } from '@fireline/auth';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@fireline/errors';
import type { EventStore } from '@fireline/event-store';
import { appendAuditEvent, changesBetween, Ctx, IdempotencyInterceptorFor, pageLimitOf, uuidParam, type Page, type RequestContext } from '@fireline/http';
import { CreateNotificationRule } from '../commands/create-notification-rule.command';
import { DeleteNotificationRule } from '../commands/delete-notification-rule.command';
import { UpdateNotificationRule } from '../commands/update-notification-rule.command';
import { GetNotificationRule } from '../projections/get-notification-rule.query';
import { ListNotificationRules } from '../projections/list-notification-rules.query';
import type { NotificationRuleView } from '../projections/notification-rule.view';
import { CreateNotificationRuleRequestDto } from './create-notification-rule.request.dto';
import { ListNotificationRulesRequestDto } from './list-notification-rules.request.dto';
import { UpdateNotificationRuleRequestDto } from './update-notification-rule.request.dto';
import { NOTIFICATION_EVENT_STORE, NOTIFICATION_PG_POOL } from '../notification.tokens';

/** Drops a generated secret (`channel.secret`) from the copy of a response kept for `Idempotency-Key` replays. */
function withoutGeneratedSecret(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const rule = body as { channel?: Record<string, unknown> };
  if (rule.channel === undefined || !('secret' in rule.channel)) return body;
  const { secret: _secret, ...channel } = rule.channel;
  return { ...rule, channel };
}

/**
 * CRUD of notification rules (configuration; not event-sourced). POST honours `Idempotency-Key`; a
 * generated webhook secret is shown in the first answer only, never stored for replays. Each change is
 * appended to notification-service's audit log (`NotificationRuleCreated` / `Updated` / `Deleted`, the
 * rule as the API shows it before and after, URLs and secrets masked).
 */
@ApiTags('notification-rules')
@Controller('v1/notification-rules')
@UseInterceptors(IdempotencyInterceptorFor(NOTIFICATION_PG_POOL, { redactStoredBody: withoutGeneratedSecret }))
export class NotificationRulesHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(NOTIFICATION_EVENT_STORE) private readonly store: EventStore,
  ) {}

  private async audit(type: string, id: string, before: NotificationRuleView | null, after: NotificationRuleView | null, ctx: RequestContext): Promise<void> {
    const view = (rule: NotificationRuleView | null) => (rule ? ({ ...rule } as Record<string, unknown>) : null);
    await appendAuditEvent(this.store, type, { resourceType: 'notification-rule', resourceId: id }, changesBetween(view(before), view(after)), {
      now: ctx.now,
      actor: ctx.actor,
      correlationId: ctx.correlationId,
    });
  }

  /** 201 with the rule; a generated webhook secret appears in `channel.secret` here only. */
  @Post()
  @RequireScopes('notifications:admin')
  async create(@Body() body: CreateNotificationRuleRequestDto, @Ctx() ctx: RequestContext): Promise<NotificationRuleView> {
    const rule = await this.commandBus.execute(new CreateNotificationRule(body, ctx.now));
    await this.audit('NotificationRuleCreated', rule.id, null, rule, ctx);
    return rule;
  }

  /** Oldest first, `limit` (≤ 100, default 50) per page; `cursor` is the previous page's `nextCursor`. */
  @Get()
  @RequireScopes('notifications:read')
  list(@Query() query: ListNotificationRulesRequestDto): Promise<Page<NotificationRuleView>> {
    return this.queryBus.execute(new ListNotificationRules({ limit: pageLimitOf(query), cursor: query.cursor }));
  }

  @Get(':id')
  @RequireScopes('notifications:read')
  get(@Param('id', uuidParam('id')) id: string): Promise<NotificationRuleView> {
    return this.queryBus.execute(new GetNotificationRule(id));
  }

  @Patch(':id')
  @RequireScopes('notifications:admin')
  async update(@Param('id', uuidParam('id')) id: string, @Body() body: UpdateNotificationRuleRequestDto, @Ctx() ctx: RequestContext): Promise<NotificationRuleView> {
    if (Object.values(body).every((value) => value === undefined)) {
      throw new ValidationError('REQUEST.EMPTY_PATCH', 'Nothing to update: send at least one of name, enabled, match, channel');
    }
    const before = await this.queryBus.execute(new GetNotificationRule(id));
    const after = await this.commandBus.execute(new UpdateNotificationRule(id, body, ctx.now));
    await this.audit('NotificationRuleUpdated', id, before, after, ctx);
    return after;
  }

  @Delete(':id')
  @RequireScopes('notifications:admin')
  @HttpCode(204)
  async remove(@Param('id', uuidParam('id')) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    const before = await this.queryBus.execute(new GetNotificationRule(id));
    await this.commandBus.execute(new DeleteNotificationRule(id, ctx.now));
    await this.audit('NotificationRuleDeleted', id, before, null, ctx);
  }
}
