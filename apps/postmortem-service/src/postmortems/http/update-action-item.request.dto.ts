import { IsAbsentOrDefined } from '@fireline/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ACTION_ITEM_PRIORITIES, ACTION_ITEM_STATUSES, type ActionItemPriority, type ActionItemStatus } from '../domain/postmortem.state';


/** `PATCH /v1/postmortems/{id}/action-items/{itemId}`: the fields to change (allowed after publication too). */
export class UpdateActionItemRequestDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsAbsentOrDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsAbsentOrDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner?: string;

  @ApiPropertyOptional({ format: 'date', example: '2025-03-20' })
  @IsAbsentOrDefined()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dueDate must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'dueDate must be a valid calendar date' })
  dueDate?: string;

  @ApiPropertyOptional({ enum: ACTION_ITEM_PRIORITIES })
  @IsAbsentOrDefined()
  @IsIn(ACTION_ITEM_PRIORITIES)
  priority?: ActionItemPriority;

  @ApiPropertyOptional({ enum: ACTION_ITEM_STATUSES })
  @IsAbsentOrDefined()
  @IsIn(ACTION_ITEM_STATUSES)
  status?: ActionItemStatus;

  @ApiPropertyOptional({ nullable: true, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string | null;
}
