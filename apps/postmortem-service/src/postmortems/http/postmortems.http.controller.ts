import { RequireScopes } from '@fireline/auth';
import { ValidationError } from '@fireline/errors';
import { Ctx, etagOf, IdempotencyInterceptorFor, pageLimitOf, parseIfMatch, type RequestContext, uuidParam } from '@fireline/http';
import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Patch, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Clock } from '../application/clock';
import { POSTMORTEM_PG_POOL } from '../application/postmortem.tokens';
import { ExecutePostmortemCommands } from '../application/execute-postmortem-commands.command';
import { GetPostmortem } from '../application/get-postmortem.query';
import type { PostmortemCommand } from '../domain/postmortem.commands';
import { actionItemNotFound } from '../domain/postmortem.errors';
import { ListPostmortems } from '../projections/list-postmortems.query';
import { ActionItemResponseDto } from './action-item.response.dto';
import { AddActionItemRequestDto } from './add-action-item.request.dto';
import { ListPostmortemsRequestDto } from './list-postmortems.request.dto';
import { commandMetadataOf, definedFields } from './postmortem-request';
import { PostmortemSummaryPageResponseDto, PostmortemSummaryResponseDto } from './postmortem-summary.response.dto';
import { PostmortemResponseDto } from './postmortem.response.dto';
import { UpdateActionItemRequestDto } from './update-action-item.request.dto';
import { UpdatePostmortemRequestDto } from './update-postmortem.request.dto';

/** Postmortems: list (read model), read and edit (event stream), action items. */
@ApiTags('postmortems')
@ApiHeader({ name: 'X-Correlation-Id', required: false })
@Controller('v1/postmortems')
@UseInterceptors(IdempotencyInterceptorFor(POSTMORTEM_PG_POOL))
export class PostmortemsHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @Get()
  @RequireScopes('postmortems:read')
  @ApiOkResponse({ type: PostmortemSummaryPageResponseDto })
  async list(@Query() query: ListPostmortemsRequestDto): Promise<PostmortemSummaryPageResponseDto> {
    const page = await this.queryBus.execute(
      new ListPostmortems({ incidentId: query.incidentId, status: query.status, limit: pageLimitOf(query), cursor: query.cursor }),
    );
    return { items: page.items.map((row) => PostmortemSummaryResponseDto.fromEntity(row)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('postmortems:read')
  @ApiOkResponse({ type: PostmortemResponseDto, headers: { ETag: { description: 'Stream version' } } })
  async get(@Param('id', uuidParam('id')) id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<PostmortemResponseDto> {
    const { state, version } = await this.queryBus.execute(new GetPostmortem(id));
    void reply.header('etag', etagOf(version));
    return PostmortemResponseDto.fromState(state, version);
  }

  @Patch(':id')
  @RequireScopes('postmortems:write')
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag from a GET; 412 when the postmortem changed since' })
  @ApiOkResponse({ type: PostmortemResponseDto })
  async update(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: UpdatePostmortemRequestDto,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostmortemResponseDto> {
    const expectedVersion = parseIfMatch(context.ifMatch);
    const metadata = commandMetadataOf(context, this.clock);
    // A request without a body reaches us as undefined despite the declared type (the DTO type must stay
    // a plain class: a union would erase it from the metadata the ValidationPipe reads).
    const { status, impact, ...fields } = body ?? {};
    const patch = definedFields({ ...fields, ...(impact !== undefined ? { impact: definedFields({ ...impact }) } : {}) });
    const commands: PostmortemCommand[] = [];
    if (Object.keys(patch).length > 0) commands.push({ type: 'UpdatePostmortem', data: { postmortemId: id, patch }, metadata });
    if (status !== undefined) commands.push({ type: 'ChangePostmortemStatus', data: { postmortemId: id, to: status }, metadata });
    if (commands.length === 0) throw new ValidationError('REQUEST.EMPTY_PATCH', 'Nothing to update: send at least one field or status');
    const { state, version } = await this.commandBus.execute(new ExecutePostmortemCommands(id, commands, expectedVersion));
    void reply.header('etag', etagOf(version));
    return PostmortemResponseDto.fromState(state, version);
  }

  @Post(':id/action-items')
  @RequireScopes('postmortems:write')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({ type: ActionItemResponseDto })
  async addActionItem(
    @Param('id', uuidParam('id')) id: string,
    @Body() body: AddActionItemRequestDto,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ActionItemResponseDto> {
    const expectedVersion = parseIfMatch(context.ifMatch);
    const actionItemId = randomUUID();
    const command: PostmortemCommand = {
      type: 'AddActionItem',
      data: {
        postmortemId: id,
        actionItemId,
        title: body.title,
        owner: body.owner,
        dueDate: body.dueDate,
        priority: body.priority,
        description: body.description ?? null,
      },
      metadata: commandMetadataOf(context, this.clock),
    };
    const { state, version } = await this.commandBus.execute(new ExecutePostmortemCommands(id, [command], expectedVersion));
    const item = state.actionItems.find((candidate) => candidate.id === actionItemId);
    if (!item) throw actionItemNotFound(id, actionItemId);
    void reply.header('etag', etagOf(version)).header('location', `/v1/postmortems/${id}/action-items/${actionItemId}`);
    return ActionItemResponseDto.fromState(item, state.postmortemId, state.incidentId);
  }

  @Patch(':id/action-items/:itemId')
  @RequireScopes('postmortems:write')
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag of the postmortem; 412 when it changed since' })
  @ApiOkResponse({ type: ActionItemResponseDto })
  async updateActionItem(
    @Param('id', uuidParam('id')) id: string,
    @Param('itemId', uuidParam('itemId')) itemId: string,
    @Body() body: UpdateActionItemRequestDto,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ActionItemResponseDto> {
    const expectedVersion = parseIfMatch(context.ifMatch);
    const patch = definedFields({ ...(body ?? {}) });
    if (Object.keys(patch).length === 0) throw new ValidationError('REQUEST.EMPTY_PATCH', 'Nothing to update: send at least one field');
    const command: PostmortemCommand = {
      type: 'UpdateActionItem',
      data: { postmortemId: id, actionItemId: itemId, patch },
      metadata: commandMetadataOf(context, this.clock),
    };
    const { state, version } = await this.commandBus.execute(new ExecutePostmortemCommands(id, [command], expectedVersion));
    const item = state.actionItems.find((candidate) => candidate.id === itemId);
    if (!item) throw actionItemNotFound(id, itemId);
    void reply.header('etag', etagOf(version));
    return ActionItemResponseDto.fromState(item, state.postmortemId, state.incidentId);
  }
}
