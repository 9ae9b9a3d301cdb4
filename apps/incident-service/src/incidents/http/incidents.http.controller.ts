import { RequireScopes } from '@fireline/auth';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@fireline/errors';
import { nameBasedUuid, type CommandMetadata } from '@fireline/event-store';
import { Ctx, etagOf, IdempotencyInterceptorFor, pageLimitOf, parseIfMatch, uuidParam, type Page, type RequestContext } from '@fireline/http';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ExecuteIncidentCommand, type IncidentCommandResult } from '../application/execute-incident.command';
import { GetIncidentQuery, GetIncidentTimelineQuery } from '../application/get-incident.query';
import type { IncidentCommand } from '../domain/incident.commands';
import type { IncidentTimelineEntry } from '../domain/incident-timeline';
import { INCIDENT_ROLES, OPEN_INCIDENT_STATUSES, type IncidentRole, type IncidentStatus } from '../domain/incident.values';
import { INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { ListIncidentsQuery, type IncidentPage } from '../projections/list-incidents.query';
import {
  AddTimelineNoteRequest,
  AssignIncidentRoleRequest,
  ChangeIncidentSeverityRequest,
  ChangeIncidentStatusRequest,
  DeclareIncidentRequest,
  GetIncidentRequest,
  GetIncidentTimelineRequest,
  ListIncidentsRequest,
  PostStatusUpdateRequest,
  ResolveIncidentRequest,
} from './incident.request.dto';
import { IncidentResponse, toIncidentResponse } from './incident.response.dto';

const anyUuid = uuidParam('id');

/** Commands on one incident honour `If-Match` (its `ETag`): 412 when it changed since, 400 for garbage. */
const IF_MATCH_HEADER = { name: 'If-Match', required: false, description: 'ETag of the incident; 412 when it changed since' };

function parseRole(raw: string): IncidentRole {
  const role = raw.replace(/-/g, '_');
  if (!(INCIDENT_ROLES as readonly string[]).includes(role)) {
    throw new ValidationError('REQUEST.INVALID_ROLE', `role must be one of ${INCIDENT_ROLES.join(', ')}`, [{ field: 'role', message: 'unknown role' }]);
  }
  return role as IncidentRole;
}

/**
 * The incident REST surface. Thin: parse the DTO, build the command with the request's clock, actor
 * and correlation id, dispatch it. Every response carries `ETag` = stream version; commands honour
 * `If-Match` (412 on mismatch); POSTs honour `Idempotency-Key`.
 */
@ApiTags('incidents')
@Controller('v1/incidents')
@UseInterceptors(IdempotencyInterceptorFor(INCIDENT_PG_POOL))
export class IncidentsHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RequireScopes('incidents:write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Declare an incident' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOkResponse({ type: IncidentResponse })
  async declare(@Body() body: DeclareIncidentRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply): Promise<IncidentResponse> {
    // With an Idempotency-Key the id is derived from it, so even a re-run after a crash hits the same stream.
    const incidentId = ctx.idempotencyKey ? nameBasedUuid(`incident:${ctx.idempotencyKey}`) : randomUUID();
    const result = await this.run(
      {
        type: 'DeclareIncident',
        data: {
          incidentId,
          title: body.title,
          description: body.description ?? '',
          severity: body.severity,
          services: body.services ?? [],
          detectionSource: body.detectionSource ?? 'manual',
        },
        metadata: this.metadata(ctx, 'declare'),
      },
      undefined,
      reply,
    );
    void reply.header('location', `/v1/incidents/${incidentId}`);
    return result;
  }

  @Get()
  @RequireScopes('incidents:read')
  @ApiOperation({ summary: 'List incidents (read model; newest first, cursor-paginated)' })
  async list(@Query() query: ListIncidentsRequest): Promise<IncidentPage> {
    const statuses = query.status?.flatMap((s): IncidentStatus[] => (s === 'open' ? [...OPEN_INCIDENT_STATUSES] : [s]));
    return this.queries.execute(
      new ListIncidentsQuery({ statuses, severities: query.severity, service: query.service, autoResolved: query.autoResolved, limit: pageLimitOf(query), cursor: query.cursor }),
    );
  }

  @Get(':id')
  @RequireScopes('incidents:read')
  @ApiOperation({ summary: 'Get an incident, replayed from its events; `asOf` gives it as it was then' })
  @ApiOkResponse({ type: IncidentResponse })
  async get(@Param('id', anyUuid) id: string, @Query() query: GetIncidentRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<IncidentResponse> {
    const view = await this.queries.execute(new GetIncidentQuery(id, query.asOf ? new Date(query.asOf) : undefined));
    void reply.header('etag', etagOf(view.version));
    return toIncidentResponse(view.incident, view.version);
  }

  @Get(':id/timeline')
  @RequireScopes('incidents:read')
  @ApiOperation({ summary: 'The incident timeline, oldest first, one entry per event, paged by stream version' })
  timeline(@Param('id', anyUuid) id: string, @Query() query: GetIncidentTimelineRequest): Promise<Page<IncidentTimelineEntry>> {
    return this.queries.execute(new GetIncidentTimelineQuery(id, { limit: pageLimitOf(query), cursor: query.cursor }));
  }

  @Post(':id/acknowledge')
  @RequireScopes('incidents:write')
  @HttpCode(200)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: IncidentResponse })
  acknowledge(@Param('id', anyUuid) id: string, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.run({ type: 'AcknowledgeIncident', data: { incidentId: id }, metadata: this.metadata(ctx, `acknowledge:${id}`) }, ctx, reply);
  }

  @Post(':id/status')
  @RequireScopes('incidents:write')
  @HttpCode(200)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: IncidentResponse })
  changeStatus(@Param('id', anyUuid) id: string, @Body() body: ChangeIncidentStatusRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.run(
      { type: 'ChangeIncidentStatus', data: { incidentId: id, status: body.status, note: body.note }, metadata: this.metadata(ctx, `status:${id}`) },
      ctx,
      reply,
    );
  }

  @Post(':id/severity')
  @RequireScopes('incidents:write')
  @HttpCode(200)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: IncidentResponse })
  changeSeverity(@Param('id', anyUuid) id: string, @Body() body: ChangeIncidentSeverityRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.run(
      { type: 'ChangeIncidentSeverity', data: { incidentId: id, severity: body.severity, reason: body.reason }, metadata: this.metadata(ctx, `severity:${id}`) },
      ctx,
      reply,
    );
  }

  @Put(':id/roles/:role')
  @RequireScopes('incidents:write')
  @HttpCode(200)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: IncidentResponse })
  assignRole(
    @Param('id', anyUuid) id: string,
    @Param('role') rawRole: string,
    @Body() body: AssignIncidentRoleRequest,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const role = parseRole(rawRole);
    return this.run({ type: 'AssignIncidentRole', data: { incidentId: id, role, assignee: body.assignee }, metadata: this.metadata(ctx, `role:${id}`) }, ctx, reply);
  }

  @Post(':id/notes')
  @RequireScopes('incidents:write')
  @HttpCode(201)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: IncidentResponse })
  addNote(@Param('id', anyUuid) id: string, @Body() body: AddTimelineNoteRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const noteId = body.noteId ?? ctx.idempotencyKey ?? randomUUID();
    return this.run({ type: 'AddTimelineNote', data: { incidentId: id, noteId, text: body.text }, metadata: this.metadata(ctx, `note:${id}`) }, ctx, reply);
  }

  @Post(':id/updates')
  @RequireScopes('incidents:write')
  @HttpCode(201)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: IncidentResponse })
  postUpdate(@Param('id', anyUuid) id: string, @Body() body: PostStatusUpdateRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const updateId = body.updateId ?? ctx.idempotencyKey ?? randomUUID();
    return this.run(
      {
        type: 'PostStatusUpdate',
        data: { incidentId: id, updateId, audience: body.audience, message: body.message, publicStatus: body.publicStatus },
        metadata: this.metadata(ctx, `update:${id}`),
      },
      ctx,
      reply,
    );
  }

  @Post(':id/resolve')
  @RequireScopes('incidents:write')
  @HttpCode(200)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: IncidentResponse })
  resolve(@Param('id', anyUuid) id: string, @Body() body: ResolveIncidentRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.run({ type: 'ResolveIncident', data: { incidentId: id, summary: body.summary }, metadata: this.metadata(ctx, `resolve:${id}`) }, ctx, reply);
  }

  @Post(':id/close')
  @RequireScopes('incidents:write')
  @HttpCode(200)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOkResponse({ type: IncidentResponse })
  close(@Param('id', anyUuid) id: string, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.run({ type: 'CloseIncident', data: { incidentId: id }, metadata: this.metadata(ctx, `close:${id}`) }, ctx, reply);
  }

  private metadata(ctx: RequestContext, scope: string): CommandMetadata {
    return {
      now: ctx.now,
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      commandId: ctx.idempotencyKey ? `${scope}:${ctx.idempotencyKey}` : undefined,
    };
  }

  private async run(command: IncidentCommand, ctx: RequestContext | undefined, reply: FastifyReply): Promise<IncidentResponse> {
    const expectedVersion = ctx ? parseIfMatch(ctx.ifMatch) : undefined;
    const result: IncidentCommandResult = await this.commands.execute(new ExecuteIncidentCommand(command, expectedVersion));
    void reply.header('etag', etagOf(result.version));
    return toIncidentResponse(result.incident, result.version);
  }
}
