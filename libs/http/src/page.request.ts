import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MaxLength } from 'class-validator';

/**
 * Query-string integers parsed strictly: only `-?\d+` becomes a number, so `1e2`, `1.5` or `` stay
 * strings and fail `@IsInt` (a plain `Number()` would accept them).
 */
export function toInteger({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
}

/**
 * The paging half of every list query: `limit` (1–200, default 50 — the default is the handler's) and
 * the opaque `cursor` a previous page returned as `nextCursor`. List request DTOs extend it.
 */
export class PageRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
