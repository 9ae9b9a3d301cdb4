import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Dead letters one bulk retry re-queues when the caller names no `limit`. */
export const DEFAULT_DEAD_LETTER_RETRY_LIMIT = 100;
/** The most one bulk retry re-queues: a larger backlog takes several calls (see `remaining`). */
export const MAX_DEAD_LETTER_RETRY_LIMIT = 1_000;

/** Query string of `POST /v1/notification-rules/{id}/dead-letters/retry`. */
export class RetryDeadLettersRequestDto {
  /** Most dead-lettered deliveries to re-queue in this call, oldest first: 1–1000, default 100. */
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: MAX_DEAD_LETTER_RETRY_LIMIT, default: DEFAULT_DEAD_LETTER_RETRY_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_DEAD_LETTER_RETRY_LIMIT)
  limit?: number;
}
