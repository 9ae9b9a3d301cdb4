import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/**
 * Query-string integers parsed strictly: only `-?\d+` becomes a number, so `1e2`, `1.5` or `` stay
 * strings and fail `@IsInt` (a plain `Number()` would accept them).
 */
export function toInteger({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
}

/**
 * The one paging rule of every list: `limit` items per page, 1 to 100, 50 when absent. 100 keeps the
 * largest page of the largest items (incident timelines, notification rules with long match lists)
 * well under a megabyte and a few milliseconds of serialization.
 */
export const PAGE_LIMIT = Object.freeze({ default: 50, max: 100 });

/**
 * The paging half of every list query: `limit` (see `PAGE_LIMIT`) and the opaque `cursor` a previous
 * page returned as `nextCursor` (checked by the list's `CursorCodec`: a bad one is 400
 * `REQUEST.INVALID_CURSOR`). List request DTOs extend it; handlers read `pageLimitOf(query)`.
 */
export class PageRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_LIMIT.max, default: PAGE_LIMIT.default })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT.max)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

/** The page size a list request asked for, or the default. */
export function pageLimitOf(request: Pick<PageRequest, 'limit'>): number {
  return request.limit ?? PAGE_LIMIT.default;
}
