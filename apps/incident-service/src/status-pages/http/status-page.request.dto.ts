import { IsAbsentOrDefined } from '@fireline/http';
import { PageRequest } from '@fireline/http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { COMPONENT_STATUSES, SLUG_PATTERN, STATUS_PAGE_LIMITS as L, type ComponentStatus } from '../domain/status-page.values';

const notBlank = /\S/;

/** `POST /v1/status-pages`. The decider re-checks every rule (time zone, URL); these give early 400s. */
export class CreateStatusPageRequest {
  @ApiProperty({ example: 'checkout-eu', pattern: SLUG_PATTERN.source, description: 'public address /status/{slug}; never changes' })
  @IsString()
  @Length(1, L.slugMax)
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters, digits and inner hyphens' })
  slug!: string;

  @ApiProperty({ example: 'Acme Checkout (EU)', maxLength: L.nameMax })
  @IsString()
  @Length(1, L.nameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({ example: 'Europe/Berlin', description: 'IANA time zone: uptime days and displayed times' })
  @IsString()
  @Length(1, L.timeZoneMax)
  timeZone!: string;

  @ApiPropertyOptional({ maxLength: L.descriptionMax })
  @IsOptional()
  @IsString()
  @MaxLength(L.descriptionMax)
  description?: string;

  @ApiPropertyOptional({ example: 'https://status.example.com', description: 'public URL when served under another host' })
  @IsOptional()
  @IsString()
  @MaxLength(L.urlMax)
  url?: string;
}

/** `PATCH /v1/status-pages/{pageId}`. */
export class UpdateStatusPageRequest {
  @ApiPropertyOptional({ maxLength: L.nameMax })
  @IsAbsentOrDefined()
  @IsString()
  @Length(1, L.nameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ example: 'America/New_York' })
  @IsAbsentOrDefined()
  @IsString()
  @Length(1, L.timeZoneMax)
  timeZone?: string;

  @ApiPropertyOptional({ maxLength: L.descriptionMax })
  @IsAbsentOrDefined()
  @IsString()
  @MaxLength(L.descriptionMax)
  description?: string;

  @ApiPropertyOptional({ nullable: true, description: 'null clears it' })
  @IsOptional()
  @IsString()
  @MaxLength(L.urlMax)
  url?: string | null;
}

/** `POST /v1/status-pages/{pageId}/groups`. */
export class AddComponentGroupRequest {
  @ApiProperty({ example: 'Payments', maxLength: L.nameMax })
  @IsString()
  @Length(1, L.nameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name!: string;
}

/** `POST /v1/status-pages/{pageId}/components` and (all optional) `PATCH …/components/{componentId}`. */
export class ComponentRequest {
  @ApiPropertyOptional({ example: 'Checkout API', maxLength: L.nameMax })
  @IsAbsentOrDefined()
  @IsString()
  @Length(1, L.nameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ maxLength: L.descriptionMax })
  @IsAbsentOrDefined()
  @IsString()
  @MaxLength(L.descriptionMax)
  description?: string;

  @ApiPropertyOptional({ nullable: true, description: 'a group of this page; null ungroups' })
  @IsOptional()
  @IsString()
  @Length(1, L.idMax)
  groupId?: string | null;

  @ApiPropertyOptional({ default: true, description: 'show its 90-day uptime bar' })
  @IsAbsentOrDefined()
  @IsBoolean()
  showcase?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsAbsentOrDefined()
  @IsBoolean()
  onlyShowIfDegraded?: boolean;
}

/** `PUT /v1/status-pages/{pageId}/components/{componentId}/status`. */
export class SetComponentStatusRequest {
  @ApiProperty({ enum: COMPONENT_STATUSES })
  @IsIn(COMPONENT_STATUSES)
  status!: ComponentStatus;
}

export class ComponentImpactRequest {
  @ApiProperty()
  @IsString()
  @Length(1, L.idMax)
  componentId!: string;

  @ApiProperty({ enum: COMPONENT_STATUSES, example: 'major_outage' })
  @IsIn(COMPONENT_STATUSES)
  status!: ComponentStatus;
}

/** `POST /v1/status-pages/{pageId}/incidents`: publish an incident with its component impacts. */
export class PublishIncidentRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  incidentId!: string;

  @ApiPropertyOptional({ description: 'public title (default: the incident title)', maxLength: L.maintenanceNameMax })
  @IsOptional()
  @IsString()
  @Length(1, L.maintenanceNameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name?: string;

  @ApiProperty({ type: [ComponentImpactRequest], maxItems: L.componentsMax })
  @IsArray()
  @ArrayMaxSize(L.componentsMax)
  @ValidateNested({ each: true })
  @Type(() => ComponentImpactRequest)
  impacts!: ComponentImpactRequest[];
}

/** `PATCH /v1/status-pages/{pageId}/incidents/{incidentId}`. */
export class ChangePublishedIncidentRequest {
  @ApiPropertyOptional({ maxLength: L.maintenanceNameMax })
  @IsOptional()
  @IsString()
  @Length(1, L.maintenanceNameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ type: [ComponentImpactRequest], maxItems: L.componentsMax })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(L.componentsMax)
  @ValidateNested({ each: true })
  @Type(() => ComponentImpactRequest)
  impacts?: ComponentImpactRequest[];
}

/** `POST /v1/status-pages/{pageId}/maintenances`. */
export class ScheduleMaintenanceRequest {
  @ApiProperty({ example: 'Database upgrade', maxLength: L.maintenanceNameMax })
  @IsString()
  @Length(1, L.maintenanceNameMax)
  @Matches(notBlank, { message: 'name must not be blank' })
  name!: string;

  @ApiProperty({ maxLength: L.bodyMax, example: 'We will upgrade the primary database; checkout may be slow.' })
  @IsString()
  @Length(1, L.bodyMax)
  @Matches(notBlank, { message: 'message must not be blank' })
  message!: string;

  @ApiProperty({ example: '2026-03-01T22:00:00Z' })
  @IsISO8601({ strict: true })
  scheduledFor!: string;

  @ApiProperty({ example: '2026-03-01T23:00:00Z' })
  @IsISO8601({ strict: true })
  scheduledUntil!: string;

  @ApiProperty({ type: [String], maxItems: L.componentsMax })
  @IsArray()
  @ArrayMaxSize(L.componentsMax)
  @IsString({ each: true })
  @Length(1, L.idMax, { each: true })
  componentIds!: string[];

  @ApiPropertyOptional({ default: true, description: 'start by itself at scheduledFor' })
  @IsOptional()
  @IsBoolean()
  autoStart?: boolean;

  @ApiPropertyOptional({ default: true, description: 'complete by itself at scheduledUntil' })
  @IsOptional()
  @IsBoolean()
  autoComplete?: boolean;
}

/** `POST /v1/status-pages/{pageId}/maintenances/{maintenanceId}/status`. */
export class AdvanceMaintenanceRequest {
  @ApiProperty({ enum: ['in_progress', 'verifying', 'completed'] })
  @IsIn(['in_progress', 'verifying', 'completed'])
  status!: 'in_progress' | 'verifying' | 'completed';

  @ApiPropertyOptional({ maxLength: L.bodyMax })
  @IsOptional()
  @IsString()
  @MaxLength(L.bodyMax)
  message?: string;
}

/** `POST /v1/status-pages/{pageId}/maintenances/{maintenanceId}/updates`. */
export class PostMaintenanceUpdateRequest {
  @ApiProperty({ maxLength: L.bodyMax })
  @IsString()
  @Length(1, L.bodyMax)
  @Matches(notBlank, { message: 'message must not be blank' })
  message!: string;

  @ApiPropertyOptional({ maxLength: L.idMax, description: 'makes a retry a no-op; generated when absent' })
  @IsOptional()
  @IsString()
  @Length(1, L.idMax)
  updateId?: string;
}

/** `GET /v1/status-pages`. */
export class ListStatusPagesRequest extends PageRequest {}
