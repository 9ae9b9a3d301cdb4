import { RequireScopes } from '@fireline/auth';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@fireline/errors';
import { IdempotencyInterceptorFor, pageLimitOf, uuidParam, type Page } from '@fireline/http';
import { CreateNotificationRule } from '../commands/create-notification-rule.command';
import { DeleteNotificationRule } from '../commands/delete-notification-rule.command';
import { UpdateNotificationRule } from '../commands/update-notification-rule.command';
import { GetNotificationRule } from '../projections/get-notification-rule.query';
import { ListNotificationRules } from '../projections/list-notification-rules.query';
import type { NotificationRuleView } from '../projections/notification-rule.view';
import { CreateNotificationRuleRequestDto } from './create-notification-rule.request.dto';
import { ListNotificationRulesRequestDto } from './list-notification-rules.request.dto';
import { UpdateNotificationRuleRequestDto } from './update-notification-rule.request.dto';
import { NOTIFICATION_PG_POOL } from '../notification.tokens';

/** CRUD of notification rules (configuration; not event-sourced). POST honours `Idempotency-Key`. */
@ApiTags('notification-rules')
@Controller('v1/notification-rules')
@UseInterceptors(IdempotencyInterceptorFor(NOTIFICATION_PG_POOL))
export class NotificationRulesHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  /** 201 with the rule; a generated webhook secret appears in `channel.secret` here only. */
  @Post()
  @RequireScopes('notifications:admin')
  create(@Body() body: CreateNotificationRuleRequestDto): Promise<NotificationRuleView> {
    return this.commandBus.execute(new CreateNotificationRule(body, new Date()));
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
  update(@Param('id', uuidParam('id')) id: string, @Body() body: UpdateNotificationRuleRequestDto): Promise<NotificationRuleView> {
    if (Object.values(body).every((value) => value === undefined)) {
      throw new ValidationError('REQUEST.EMPTY_PATCH', 'Nothing to update: send at least one of name, enabled, match, channel');
    }
    return this.commandBus.execute(new UpdateNotificationRule(id, body, new Date()));
  }

  @Delete(':id')
  @RequireScopes('notifications:admin')
  @HttpCode(204)
  async remove(@Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.commandBus.execute(new DeleteNotificationRule(id, new Date()));
  }
}
