import { API_KEY_ID_PATTERN, Caller, RequireScopes, type Principal } from '@fireline/auth';
import { ValidationError } from '@fireline/errors';
import { Ctx, IdempotencyInterceptorFor, pageLimitOf, type RequestContext } from '@fireline/http';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UseInterceptors, type PipeTransform } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Pool } from 'pg';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../incident-service.tokens';
import type { EventStore } from '@fireline/event-store';
import { IssueApiKeyCommand, RevokeApiKeyCommand } from '../application/api-key.command';
import { lastUseOf, listApiKeys, loadApiKey, toApiKeyView } from '../application/api-keys';
import { apiKeyNotFound } from '../domain/api-key.errors';
import { CreateApiKeyRequest, ListApiKeysRequest, RevokeApiKeyRequest } from './api-key.request.dto';
import { ApiKeyPageResponse, ApiKeyResponse, CreatedApiKeyResponse } from './api-key.response.dto';

/** A path parameter that must be a key id (12 base62 characters): anything else is 400 `REQUEST.INVALID_ID`. */
const keyIdParam: PipeTransform<string, string> = {
  transform(value: string): string {
    if (!API_KEY_ID_PATTERN.test(value)) throw new ValidationError('REQUEST.INVALID_ID', 'id must be an API key id (12 letters and digits)', [{ field: 'id', message: 'must be an API key id' }]);
    return value;
  },
};

/** The key itself is never kept for `Idempotency-Key` replays: a replay answers without it. */
function withoutKey(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const { key: _key, ...rest } = body as Record<string, unknown>;
  return rest;
}

/**
 * API keys (scope `keys:admin`): create (the key is in that answer only), list, read, revoke. Every
 * key expires (default 90 days, at most `API_KEY_MAX_LIFETIME_DAYS`); a key never grants scopes its
 * creator does not hold. Keys are event-sourced (`ApiKeyIssued`, `ApiKeyRevoked`: the audit trail)
 * and replicated to the other services as their sha256 only.
 */
@ApiTags('api-keys')
@Controller('v1/api-keys')
@UseInterceptors(IdempotencyInterceptorFor(INCIDENT_PG_POOL, { redactStoredBody: withoutKey }))
export class ApiKeysHttpController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
    @Inject(INCIDENT_PG_POOL) private readonly pool: Pool,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('keys:admin')
  @ApiOperation({ summary: 'Create an API key; the key (flk_…) is in this answer only' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  async create(@Body() body: CreateApiKeyRequest, @Ctx() ctx: RequestContext, @Caller() caller: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<CreatedApiKeyResponse> {
    const { key, apiKey } = await this.commands.execute(
      new IssueApiKeyCommand(
        { name: body.name, scopes: body.scopes, role: body.role ?? null, expiresAt: body.expiresAt !== undefined ? new Date(body.expiresAt) : undefined },
        caller.scopes,
        { now: ctx.now, actor: ctx.actor, correlationId: ctx.correlationId },
      ),
    );
    void reply.header('location', `/v1/api-keys/${apiKey.id}`);
    return { ...apiKey, key };
  }

  @Get()
  @RequireScopes('keys:admin')
  @ApiOperation({ summary: 'List API keys (read model), newest first, cursor-paginated' })
  @ApiOkResponse({ type: ApiKeyPageResponse })
  list(@Query() query: ListApiKeysRequest): Promise<ApiKeyPageResponse> {
    return listApiKeys(this.pool, pageLimitOf(query), query.cursor, new Date());
  }

  @Get(':id')
  @RequireScopes('keys:admin')
  @ApiOperation({ summary: 'One API key, replayed from its events' })
  @ApiOkResponse({ type: ApiKeyResponse })
  async get(@Param('id', keyIdParam) id: string): Promise<ApiKeyResponse> {
    const key = await loadApiKey(this.store, id);
    if (!key) throw apiKeyNotFound(id);
    return toApiKeyView(key, await lastUseOf(this.pool, id), new Date());
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireScopes('keys:admin')
  @ApiOperation({ summary: 'Revoke an API key: refused at once by incident-service, by the other services once the revocation reaches them; safe to repeat' })
  @ApiOkResponse({ type: ApiKeyResponse })
  revoke(@Param('id', keyIdParam) id: string, @Body() body: RevokeApiKeyRequest, @Ctx() ctx: RequestContext): Promise<ApiKeyResponse> {
    return this.commands.execute(new RevokeApiKeyCommand(id, body.reason, { now: ctx.now, actor: ctx.actor, correlationId: ctx.correlationId }));
  }
}
