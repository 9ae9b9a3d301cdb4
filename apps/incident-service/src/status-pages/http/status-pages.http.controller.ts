import { RequireScopes } from '@fireline/auth';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { nameBasedUuid, type CommandMetadata } from '@fireline/event-store';
import { Ctx, etagOf, IdempotencyInterceptorFor, parseIfMatch, uuidParam, type RequestContext } from '@fireline/http';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { ExecuteStatusPageCommand } from '../application/execute-status-page.command';
import { GetIncidentFactsQuery, GetStatusPageQuery, ListStatusPagesQuery, type StatusPageDetails, type StatusPageList } from '../application/status-page.query';
import type { StatusPageCommand } from '../domain/status-page.commands';
import { pageIdOfSlug } from '../status-page-stream';
import {
  AddComponentGroupRequest,
  AdvanceMaintenanceRequest,
  ChangePublishedIncidentRequest,
  ComponentRequest,
  CreateStatusPageRequest,
  ListStatusPagesRequest,
  PostMaintenanceUpdateRequest,
  PublishIncidentRequest,
  ScheduleMaintenanceRequest,
  SetComponentStatusRequest,
  UpdateStatusPageRequest,
} from './status-page.request.dto';

const pageIdParam = uuidParam('pageId');
const incidentIdParam = uuidParam('incidentId');
const IF_MATCH_HEADER = { name: 'If-Match', required: false, description: 'ETag of the page; 412 when it changed since' };

/**
 * Managing status pages: reads need `status-pages:read`, changes `status-pages:write` (the public side
 * under `/status/…` needs no credential). The actor of every event is the caller's credential. Thin: DTO → command with the request's clock, actor and correlation id → the shared
 * command path. Every answer is the page replayed from its events with `ETag` = stream version;
 * commands honour `If-Match`, POSTs `Idempotency-Key` (new ids derive from it, so a retry after a
 * crash addresses the same component or maintenance).
 */
@ApiTags('status pages')
@Controller('v1/status-pages')
@UseInterceptors(IdempotencyInterceptorFor(INCIDENT_PG_POOL))
export class StatusPagesHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @RequireScopes('status-pages:write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a status page (its id derives from its slug)' })
  async create(@Body() body: CreateStatusPageRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply): Promise<StatusPageDetails> {
    const pageId = pageIdOfSlug(body.slug);
    const result = await this.run(
      { type: 'CreateStatusPage', data: { pageId, slug: body.slug, name: body.name, timeZone: body.timeZone, description: body.description, url: body.url }, metadata: this.metadata(ctx, 'create-page') },
      undefined,
      reply,
    );
    void reply.header('location', `/v1/status-pages/${pageId}`);
    return result;
  }

  @Get()
  @RequireScopes('status-pages:read')
  @ApiOperation({ summary: 'List status pages (read model; oldest first, cursor-paginated)' })
  list(@Query() query: ListStatusPagesRequest): Promise<StatusPageList> {
    return this.queries.execute(new ListStatusPagesQuery(query.limit ?? 50, query.cursor));
  }

  @Get(':pageId')
  @RequireScopes('status-pages:read')
  @ApiOperation({ summary: 'A status page, replayed from its events' })
  async get(@Param('pageId', pageIdParam) pageId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<StatusPageDetails> {
    const details = await this.queries.execute(new GetStatusPageQuery(pageId));
    void reply.header('etag', etagOf(details.version));
    return details;
  }

  @Patch(':pageId')
  @RequireScopes('status-pages:write')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Change name, time zone, description or URL' })
  update(@Param('pageId', pageIdParam) pageId: string, @Body() body: UpdateStatusPageRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.run({ type: 'UpdateStatusPage', data: { pageId, ...body }, metadata: this.metadata(ctx, `page:${pageId}`) }, ctx, reply);
  }

  @Post(':pageId/groups')
  @RequireScopes('status-pages:write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a component group' })
  addGroup(@Param('pageId', pageIdParam) pageId: string, @Body() body: AddComponentGroupRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const groupId = this.newId(ctx, `group:${pageId}`);
    return this.run({ type: 'AddComponentGroup', data: { pageId, groupId, name: body.name }, metadata: this.metadata(ctx, `group:${pageId}`) }, ctx, reply);
  }

  @Post(':pageId/components')
  @RequireScopes('status-pages:write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a component' })
  addComponent(@Param('pageId', pageIdParam) pageId: string, @Body() body: ComponentRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const componentId = this.newId(ctx, `component:${pageId}`);
    return this.run({ type: 'AddComponent', data: { pageId, componentId, ...body, name: body.name as string }, metadata: this.metadata(ctx, `component:${pageId}`) }, ctx, reply);
  }

  @Patch(':pageId/components/:componentId')
  @RequireScopes('status-pages:write')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Change a component (name, description, group, showcase)' })
  updateComponent(
    @Param('pageId', pageIdParam) pageId: string,
    @Param('componentId') componentId: string,
    @Body() body: ComponentRequest,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run({ type: 'UpdateComponent', data: { pageId, componentId, ...body }, metadata: this.metadata(ctx, `component:${pageId}`) }, ctx, reply);
  }

  @Delete(':pageId/components/:componentId')
  @RequireScopes('status-pages:write')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Remove a component' })
  removeComponent(@Param('pageId', pageIdParam) pageId: string, @Param('componentId') componentId: string, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.run({ type: 'RemoveComponent', data: { pageId, componentId }, metadata: this.metadata(ctx, `component:${pageId}`) }, ctx, reply);
  }

  @Put(':pageId/components/:componentId/status')
  @RequireScopes('status-pages:write')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: "Set a component's own status (incidents and maintenance may show a worse one)" })
  setStatus(
    @Param('pageId', pageIdParam) pageId: string,
    @Param('componentId') componentId: string,
    @Body() body: SetComponentStatusRequest,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run({ type: 'SetComponentStatus', data: { pageId, componentId, status: body.status }, metadata: this.metadata(ctx, `component-status:${pageId}`) }, ctx, reply);
  }

  @Post(':pageId/incidents')
  @RequireScopes('status-pages:write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Publish an incident with its component impacts (its external updates follow it onto the page)' })
  async publish(@Param('pageId', pageIdParam) pageId: string, @Body() body: PublishIncidentRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const incident = await this.queries.execute(new GetIncidentFactsQuery(body.incidentId));
    return this.run(
      {
        type: 'PublishIncident',
        data: { pageId, incidentId: incident.incidentId, name: body.name ?? incident.title, impacts: body.impacts.map(({ componentId, status }) => ({ componentId, status })), incident },
        metadata: this.metadata(ctx, `publish:${pageId}`),
      },
      ctx,
      reply,
    );
  }

  @Patch(':pageId/incidents/:incidentId')
  @RequireScopes('status-pages:write')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: "Change a published incident's public name or impacts" })
  changeIncident(
    @Param('pageId', pageIdParam) pageId: string,
    @Param('incidentId', incidentIdParam) incidentId: string,
    @Body() body: ChangePublishedIncidentRequest,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const impacts = body.impacts?.map(({ componentId, status }) => ({ componentId, status }));
    return this.run({ type: 'ChangePublishedIncident', data: { pageId, incidentId, name: body.name, impacts }, metadata: this.metadata(ctx, `incident:${pageId}`) }, ctx, reply);
  }

  @Delete(':pageId/incidents/:incidentId')
  @RequireScopes('status-pages:write')
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Take an incident off the page (components are restored)' })
  unpublish(@Param('pageId', pageIdParam) pageId: string, @Param('incidentId', incidentIdParam) incidentId: string, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.run({ type: 'UnpublishIncident', data: { pageId, incidentId }, metadata: this.metadata(ctx, `incident:${pageId}`) }, ctx, reply);
  }

  @Post(':pageId/maintenances')
  @RequireScopes('status-pages:write')
  @HttpCode(201)
  @ApiOperation({ summary: 'Schedule a maintenance (durable timers start and complete it at its times)' })
  schedule(@Param('pageId', pageIdParam) pageId: string, @Body() body: ScheduleMaintenanceRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply) {
    const maintenanceId = this.newId(ctx, `maintenance:${pageId}`);
    return this.run({ type: 'ScheduleMaintenance', data: { pageId, maintenanceId, ...body }, metadata: this.metadata(ctx, `maintenance:${pageId}`) }, ctx, reply);
  }

  @Post(':pageId/maintenances/:maintenanceId/status')
  @RequireScopes('status-pages:write')
  @HttpCode(200)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Move a maintenance to in_progress, verifying or completed' })
  advance(
    @Param('pageId', pageIdParam) pageId: string,
    @Param('maintenanceId') maintenanceId: string,
    @Body() body: AdvanceMaintenanceRequest,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.run({ type: 'AdvanceMaintenance', data: { pageId, maintenanceId, status: body.status, message: body.message }, metadata: this.metadata(ctx, `maintenance-status:${pageId}`) }, ctx, reply);
  }

  @Post(':pageId/maintenances/:maintenanceId/updates')
  @RequireScopes('status-pages:write')
  @HttpCode(201)
  @ApiHeader(IF_MATCH_HEADER)
  @ApiOperation({ summary: 'Post an update on a maintenance' })
  maintenanceUpdate(
    @Param('pageId', pageIdParam) pageId: string,
    @Param('maintenanceId') maintenanceId: string,
    @Body() body: PostMaintenanceUpdateRequest,
    @Ctx() ctx: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const updateId = body.updateId ?? ctx.idempotencyKey ?? randomUUID();
    return this.run({ type: 'PostMaintenanceUpdate', data: { pageId, maintenanceId, updateId, message: body.message }, metadata: this.metadata(ctx, `maintenance-update:${pageId}`) }, ctx, reply);
  }

  /** A new id: derived from the `Idempotency-Key` when there is one (a retry addresses the same thing). */
  private newId(ctx: RequestContext, scope: string): string {
    return ctx.idempotencyKey ? nameBasedUuid(`${scope}:${ctx.idempotencyKey}`) : randomUUID();
  }

  private metadata(ctx: RequestContext, scope: string): CommandMetadata {
    return { now: ctx.now, actor: ctx.actor, correlationId: ctx.correlationId, commandId: ctx.idempotencyKey ? `${scope}:${ctx.idempotencyKey}` : undefined };
  }

  private async run(command: StatusPageCommand, ctx: RequestContext | undefined, reply: FastifyReply): Promise<StatusPageDetails> {
    const expectedVersion = ctx ? parseIfMatch(ctx.ifMatch) : undefined;
    await this.commands.execute(new ExecuteStatusPageCommand(command, expectedVersion));
    const details = await this.queries.execute(new GetStatusPageQuery(command.data.pageId));
    void reply.header('etag', etagOf(details.version));
    return details;
  }
}
