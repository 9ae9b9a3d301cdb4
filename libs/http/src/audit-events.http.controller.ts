import { RequireScopes } from '@fireline/auth';
import { Controller, Get, Inject, Query, type Type } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import type { Pool } from 'pg';
import { readAuditLog, type AuditEntry } from './audit-log';
import { pageLimitOf, PageRequest } from './page.request.dto';

/** Query of `GET /v1/admin/<service>/audit-events`. */
export class AuditEventsRequest extends PageRequest {
  @ApiPropertyOptional({ description: 'only this kind of resource: api-key, integration, notification-rule' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  resourceType?: string;

  @ApiPropertyOptional({ description: 'only this resource' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  resourceId?: string;
}

/** One audit entry. */
export class AuditEntryResponse implements AuditEntry {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'ApiKeyRevoked' }) type!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ example: 'key:3kTzq0P1mNbc' }) actor!: string;
  @ApiProperty({ example: 'api-key' }) resourceType!: string;
  @ApiProperty() resourceId!: string;
  @ApiProperty({ type: Object, description: 'what changed, secrets masked' }) details!: unknown;
  @ApiPropertyOptional({ nullable: true, type: String }) correlationId!: string | null;
}

/** A page of the audit log. */
export class AuditPageResponse {
  @ApiProperty({ type: [AuditEntryResponse] }) items!: AuditEntryResponse[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

/**
 * `GET <path>/audit-events` (scope `audit:read`): the service's configuration changes, newest first,
 * paged like every list (`limit`, `cursor`), filterable by `resourceType` and `resourceId`. See
 * `readAuditLog`. `poolToken`: the service's `pg.Pool`, whose database has the event store and
 * `CreateAuditLogIndex1732000003100`.
 */
export function AuditEventsControllerFor(options: { path: string; poolToken: string | symbol }): Type<unknown> {
  @ApiTags('operations')
  @Controller(options.path)
  class AuditEventsController {
    constructor(@Inject(options.poolToken) private readonly pool: Pool) {}

    @Get('audit-events')
    @RequireScopes('audit:read')
    @ApiOperation({ summary: 'Configuration changes (API keys, integrations, notification rules): what, who, when, which resource, secrets masked' })
    list(@Query() query: AuditEventsRequest): Promise<AuditPageResponse> {
      return readAuditLog(this.pool, { log: options.path, limit: pageLimitOf(query), cursor: query.cursor, resourceType: query.resourceType, resourceId: query.resourceId });
    }
  }
  return AuditEventsController;
}
