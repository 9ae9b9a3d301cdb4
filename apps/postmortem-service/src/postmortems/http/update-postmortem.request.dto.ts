import { IsAbsentOrDefined } from '@fireline/http';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsObject, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { POSTMORTEM_STATUSES, SEVERITIES, type PostmortemStatus, type Severity } from '../domain/postmortem.state';


const MAX_TEXT = 20_000;
const MAX_LIST = 100;
const MAX_LIST_ITEM = 2_000;

/** The impact fields to change; absent ones keep their value. */
export class UpdatePostmortemImpactRequestDto {
  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsAbsentOrDefined()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ type: [String], example: ['checkout'] })
  @IsAbsentOrDefined()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  services?: string[];

  @ApiPropertyOptional({ minimum: 0, example: 90 })
  @IsAbsentOrDefined()
  @IsInt()
  @Min(0)
  durationMinutes?: number;

  @ApiPropertyOptional({ example: 'About 5% of checkouts failed for 90 minutes' })
  @IsAbsentOrDefined()
  @IsString()
  @MaxLength(MAX_TEXT)
  description?: string;
}

/**
 * `PATCH /v1/postmortems/{id}`: document fields and/or `status`. Fields are applied first, then the
 * status change, atomically.
 */
export class UpdatePostmortemRequestDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsAbsentOrDefined()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional()
  @IsAbsentOrDefined()
  @IsString()
  @MaxLength(MAX_TEXT)
  summary?: string;

  @ApiPropertyOptional({ type: UpdatePostmortemImpactRequestDto })
  @IsAbsentOrDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => UpdatePostmortemImpactRequestDto)
  impact?: UpdatePostmortemImpactRequestDto;

  @ApiPropertyOptional()
  @IsAbsentOrDefined()
  @IsString()
  @MaxLength(MAX_TEXT)
  rootCause?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsAbsentOrDefined()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @IsString({ each: true })
  @MaxLength(MAX_LIST_ITEM, { each: true })
  contributingFactors?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsAbsentOrDefined()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @IsString({ each: true })
  @MaxLength(MAX_LIST_ITEM, { each: true })
  whatWentWell?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsAbsentOrDefined()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @IsString({ each: true })
  @MaxLength(MAX_LIST_ITEM, { each: true })
  whatWentWrong?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsAbsentOrDefined()
  @IsArray()
  @ArrayMaxSize(MAX_LIST)
  @IsString({ each: true })
  @MaxLength(MAX_LIST_ITEM, { each: true })
  whereWeGotLucky?: string[];

  @ApiPropertyOptional({ enum: POSTMORTEM_STATUSES, description: 'draft -> in_review -> published; in_review -> draft; published is final' })
  @IsAbsentOrDefined()
  @IsIn(POSTMORTEM_STATUSES)
  status?: PostmortemStatus;
}
