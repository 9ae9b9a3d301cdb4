import { RequireScopes } from '@fireline/auth';
import { Controller, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { IdempotencyInterceptorFor, uuidParam } from '@fireline/http';
import { RetryDeadLetters } from '../commands/retry-dead-letters.command';
import { NOTIFICATION_PG_POOL } from '../notification.tokens';
import type { DeadLetterRetryView } from './dead-letter-retry.view';
import { DEFAULT_DEAD_LETTER_RETRY_LIMIT, RetryDeadLettersRequestDto } from './retry-dead-letters.request.dto';

/** Bulk retry of one rule's dead-lettered deliveries (the single-delivery retry is `POST /v1/deliveries/{id}/retry`). */
@ApiTags('notification-rules')
@Controller('v1/notification-rules')
@UseInterceptors(IdempotencyInterceptorFor(NOTIFICATION_PG_POOL))
export class NotificationRuleDeadLettersHttpController {
  constructor(private readonly commandBus: CommandBus) {}

  /**
   * 202: re-queues up to `limit` (default 100, at most 1000) of the rule's dead-lettered deliveries,
   * oldest first, each for a new round of attempts under its own delivery id, and says how many are
   * left. Safe to repeat: a second call re-queues nothing it already re-queued. 404 for an unknown or
   * deleted rule.
   */
  @Post(':id/dead-letters/retry')
  @RequireScopes('notifications:admin')
  @HttpCode(202)
  retry(@Param('id', uuidParam('id')) id: string, @Query() query: RetryDeadLettersRequestDto): Promise<DeadLetterRetryView> {
    return this.commandBus.execute(new RetryDeadLetters(id, query.limit ?? DEFAULT_DEAD_LETTER_RETRY_LIMIT));
  }
}
