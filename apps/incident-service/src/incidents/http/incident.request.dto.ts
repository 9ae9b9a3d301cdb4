import { PageRequest } from '@fireline/http';
import { AUTO_RESOLVED_FILTERS, type AutoResolvedFilter } from '../projections/dashboard.query';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  PUBLIC_STATUS_OVERRIDES,
  STATUS_UPDATE_AUDIENCES,
  type IncidentStatus,
  type PublicStatusOverride,
  type Severity,
  type StatusUpdateAudience,
} from '../domain/incident.values';

const notBlank = /\S/;

/** `POST /v1/incidents`. The decider re-checks every rule; these checks give early, field-level 400s. */
export class DeclareIncidentRequest {
  @ApiProperty({ example: 'Primary PostgreSQL disk full', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @Matches(notBlank, { message: 'title must not be blank' })
  title!: string;

  @ApiPropertyOptional({ maxLength: 10000, default: '' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiProperty({ enum: INCIDENT_SEVERITIES, example: 'SEV2' })
  @IsIn(INCIDENT_SEVERITIES)
  severity!: Severity;

  @ApiPropertyOptional({ type: [String], example: ['orders-db', 'checkout'], maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  services?: string[];

  @ApiPropertyOptional({ example: 'manual', default: 'manual', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  detectionSource?: string;
}

/** `POST /v1/incidents/{id}/status`. Moving a resolved incident to an open status reopens it (note required). */
export class ChangeIncidentStatusRequest {
  @ApiProperty({ enum: INCIDENT_STATUSES, example: 'identified' })
  @IsIn(INCIDENT_STATUSES)
  status!: IncidentStatus;

  @ApiPropertyOptional({ maxLength: 10000 })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  note?: string;
}

/** `POST /v1/incidents/{id}/severity`. */
export class ChangeIncidentSeverityRequest {
  @ApiProperty({ enum: INCIDENT_SEVERITIES })
  @IsIn(INCIDENT_SEVERITIES)
  severity!: Severity;

  @ApiProperty({ example: 'Checkout is failing for all EU customers', maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  @Matches(notBlank, { message: 'reason must not be blank' })
  reason!: string;
}

/** `PUT /v1/incidents/{id}/roles/{role}`. */
export class AssignIncidentRoleRequest {
  @ApiProperty({ example: 'alice@example.com', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @Matches(notBlank, { message: 'assignee must not be blank' })
  assignee!: string;
}

/** `POST /v1/incidents/{id}/notes`. `noteId` makes a retry a no-op; generated when absent. */
export class AddTimelineNoteRequest {
  @ApiProperty({ maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  @Matches(notBlank, { message: 'text must not be blank' })
  text!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  noteId?: string;
}

/** `POST /v1/incidents/{id}/updates`. `updateId` makes a retry a no-op; generated when absent. */
export class PostStatusUpdateRequest {
  @ApiProperty({ enum: STATUS_UPDATE_AUDIENCES })
  @IsIn(STATUS_UPDATE_AUDIENCES)
  audience!: StatusUpdateAudience;

  @ApiProperty({ maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  @Matches(notBlank, { message: 'message must not be blank' })
  message!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  updateId?: string;

  @ApiPropertyOptional({
    enum: PUBLIC_STATUS_OVERRIDES,
    description: 'external updates only: the public status status pages show for it (default: from the lifecycle)',
  })
  @IsOptional()
  @IsIn(PUBLIC_STATUS_OVERRIDES)
  publicStatus?: PublicStatusOverride;
}

/** `POST /v1/incidents/{id}/resolve`. */
export class ResolveIncidentRequest {
  @ApiProperty({ example: 'Freed disk space and raised the volume size; replication caught up.', maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  @Matches(notBlank, { message: 'summary must not be blank' })
  summary!: string;
}

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter((part) => part !== '') : value;

/** `GET /v1/incidents` query. `status` and `severity` take comma-separated lists; `status=open` = every open status. */
export class ListIncidentsRequest extends PageRequest {
  @ApiPropertyOptional({ description: 'comma-separated statuses, or `open`', example: 'open' })
  @IsOptional()
  @Transform(csv)
  @IsArray()
  @IsIn([...INCIDENT_STATUSES, 'open'], { each: true })
  status?: (IncidentStatus | 'open')[];

  @ApiPropertyOptional({ description: 'comma-separated severities', example: 'SEV1,SEV2' })
  @IsOptional()
  @Transform(csv)
  @IsArray()
  @IsIn(INCIDENT_SEVERITIES, { each: true })
  severity?: Severity[];

  @ApiPropertyOptional({ example: 'orders-db' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  service?: string;

  @ApiPropertyOptional({
    enum: ['include', 'exclude', 'only'],
    default: 'include',
    description: 'auto-resolved alert incidents (declared from an alert, resolved with no human action): `exclude` them, or list `only` them',
  })
  @IsOptional()
  @IsIn(['include', 'exclude', 'only'])
  autoResolved?: 'include' | 'exclude' | 'only';
}

/** `GET /v1/incidents/{id}` query. */
export class GetIncidentRequest {
  @ApiPropertyOptional({ description: 'ISO-8601 time: the incident as it was then', example: '2026-11-21T10:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}

/** `GET /v1/incidents/{id}/timeline` query: paging only (oldest first; the cursor is a stream version). */
export class GetIncidentTimelineRequest extends PageRequest {}

/** `GET /v1/dashboard` query. */
export class DashboardRequest {
  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 30, description: 'MTTA/MTTR window in days, ending now' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  windowDays?: number;

  @ApiPropertyOptional({
    enum: AUTO_RESOLVED_FILTERS,
    default: 'include',
    description:
      '`exclude` leaves auto-resolved alert incidents (declared from an alert, resolved with no human action) out of MTTA/MTTR; the response says how many',
  })
  @IsOptional()
  @IsIn(AUTO_RESOLVED_FILTERS)
  autoResolved?: AutoResolvedFilter;
}
