import { RequireScopes } from '@fireline/auth';
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '@fireline/errors';
import type { EventStore } from '@fireline/event-store';
import { appendAuditEvent, changesBetween, Ctx, IdempotencyInterceptorFor, pageLimitOf, uuidParam, type RequestContext } from '@fireline/http';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AlertIntakeRepository } from '../../ledger/alert-intake.repository';
import { ReprocessAlertDelivery } from '../../ledger/reprocess-alert-delivery.command';
import { UnauthenticatedIntakeGate } from '../../ledger/unauthenticated-intake.gate';
import { INCIDENT_EVENT_STORE, INCIDENT_PG_POOL } from '../../../incident-service.tokens';
import type { Integration } from '../domain/integration';
import { issueCredential } from '../domain/integration-credentials';
import { integrationNotFound, invalidIntegration } from '../domain/integration.errors';
import { DEFAULT_AUTO_RESOLVE, severityMappingWith, type SeverityMapping } from '../domain/integration.values';
import { IntegrationRepository, type IntegrationChanges } from '../persistence/integration.repository';
import { CreateIntegrationRequest, ListDeliveriesRequest, ListIntegrationsRequest, UpdateIntegrationRequest } from './integration.request.dto';
import {
  CreatedIntegrationResponse,
  DeliveryPageResponse,
  DeliveryResponse,
  IntegrationPageResponse,
  IntegrationResponse,
  toDeliveryPageResponse,
  toDeliveryResponse,
  toIntegrationResponse,
} from './integration.response.dto';

const anyUuid = uuidParam('id');
const deliveryUuid = uuidParam('deliveryId');

/** Drops the once-only credential from the copy of the create response kept for `Idempotency-Key` replays. */
function withoutCredentials(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const { credentials: _credentials, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** What the audit log records of an integration (its signing secrets are masked there). */
function auditViewOf(integration: Integration): Record<string, unknown> {
  return { ...toIntegrationResponse(integration), signingSecrets: integration.signingSecrets };
}

/**
 * Integrations: configuration CRUD (not event-sourced; each change is appended to the audit log as
 * `IntegrationCreated` / `IntegrationUpdated` / `IntegrationDeleted`), and the ledger of each one's deliveries.
 * Create honours `Idempotency-Key` (a retry never makes a second integration), but the credential is
 * shown only in the first answer: it is kept hashed, never stored for replays. A client that lost the
 * first answer deletes the integration and creates another.
 */
@ApiTags('integrations')
@Controller('v1/integrations')
@UseInterceptors(IdempotencyInterceptorFor(INCIDENT_PG_POOL, { redactStoredBody: withoutCredentials }))
export class IntegrationsHttpController {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly intake: AlertIntakeRepository,
    private readonly commands: CommandBus,
    private readonly unauthenticated: UnauthenticatedIntakeGate,
    @Inject(INCIDENT_EVENT_STORE) private readonly store: EventStore,
  ) {}

  private async audit(type: string, id: string, before: Integration | null, after: Integration | null, ctx: RequestContext): Promise<void> {
    const changes = changesBetween(before && auditViewOf(before), after && auditViewOf(after));
    await appendAuditEvent(this.store, type, { resourceType: 'integration', resourceId: id }, changes, { now: ctx.now, actor: ctx.actor, correlationId: ctx.correlationId });
  }

  @Post()
  @RequireScopes('integrations:admin')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an integration; its routing key or token is in this answer only' })
  @ApiCreatedResponse({ type: CreatedIntegrationResponse })
  async create(@Body() body: CreateIntegrationRequest, @Ctx() ctx: RequestContext, @Res({ passthrough: true }) reply: FastifyReply): Promise<CreatedIntegrationResponse> {
    const webhooks = body.type === 'pagerduty-webhooks-v3';
    if (webhooks !== (body.signingSecrets !== undefined)) {
      throw invalidIntegration([
        { field: 'signingSecrets', message: webhooks ? 'is required for pagerduty-webhooks-v3' : `is only accepted for pagerduty-webhooks-v3, not ${body.type}` },
      ]);
    }
    const integration: Integration = {
      id: randomUUID(),
      type: body.type,
      name: body.name.trim(),
      service: body.service.trim(),
      severityMapping: severityMappingWith(body.severityMapping ?? {}),
      autoResolve: body.autoResolve ?? DEFAULT_AUTO_RESOLVE,
      signingSecrets: body.signingSecrets ?? [],
      createdAt: new Date(),
      deletedAt: null,
    };
    const credential = issueCredential(integration.type);
    await this.integrations.create(integration, credential?.hash ?? null);
    await this.audit('IntegrationCreated', integration.id, null, integration, ctx);
    void reply.header('location', `/v1/integrations/${integration.id}`);
    const credentials =
      credential === null ? undefined : integration.type === 'events-v2' ? { routingKey: credential.secret } : { token: credential.secret };
    return { ...toIntegrationResponse(integration), ...(credentials ? { credentials } : {}) };
  }

  @Get()
  @RequireScopes('integrations:admin')
  @ApiOperation({ summary: 'List integrations (not deleted), newest first, cursor-paginated' })
  @ApiOkResponse({ type: IntegrationPageResponse })
  async list(@Query() query: ListIntegrationsRequest): Promise<IntegrationPageResponse> {
    const page = await this.integrations.listActive(pageLimitOf(query), query.cursor);
    return { items: page.items.map(toIntegrationResponse), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('integrations:admin')
  @ApiOkResponse({ type: IntegrationResponse })
  async get(@Param('id', anyUuid) id: string): Promise<IntegrationResponse> {
    const integration = await this.integrations.findActiveById(id);
    if (!integration) throw integrationNotFound(id);
    return toIntegrationResponse(integration);
  }

  @Patch(':id')
  @RequireScopes('integrations:admin')
  @ApiOperation({ summary: 'Change name, service, severity mapping (merged), autoResolve, or (PagerDuty webhooks) signing secrets' })
  @ApiOkResponse({ type: IntegrationResponse })
  async update(@Param('id', anyUuid) id: string, @Body() body: UpdateIntegrationRequest, @Ctx() ctx: RequestContext): Promise<IntegrationResponse> {
    const given = (['name', 'service', 'severityMapping', 'autoResolve', 'signingSecrets'] as const).filter((field) => body[field] !== undefined);
    if (given.length === 0) {
      throw new ValidationError('REQUEST.EMPTY_PATCH', 'Nothing to update: send at least one of name, service, severityMapping, autoResolve, signingSecrets');
    }
    const current = await this.integrations.findActiveById(id);
    if (!current) throw integrationNotFound(id);
    if (body.signingSecrets !== undefined && current.type !== 'pagerduty-webhooks-v3') {
      throw invalidIntegration([{ field: 'signingSecrets', message: `is only accepted for pagerduty-webhooks-v3, not ${current.type}` }]);
    }
    const changes: IntegrationChanges = {
      ...(body.name !== undefined ? { name: body.name.trim() } : {}),
      ...(body.service !== undefined ? { service: body.service.trim() } : {}),
      ...(body.severityMapping !== undefined ? { severityMapping: mergedMapping(current.severityMapping, body.severityMapping) } : {}),
      ...(body.autoResolve !== undefined ? { autoResolve: body.autoResolve } : {}),
      ...(body.signingSecrets !== undefined ? { signingSecrets: body.signingSecrets } : {}),
    };
    const updated = await this.integrations.update(id, changes);
    if (!updated) throw integrationNotFound(id);
    await this.audit('IntegrationUpdated', id, current, updated, ctx);
    return toIntegrationResponse(updated);
  }

  @Delete(':id')
  @RequireScopes('integrations:admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an integration: its credential stops working at once; its deliveries stay auditable' })
  @ApiNoContentResponse()
  async remove(@Param('id', anyUuid) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    const current = await this.integrations.findActiveById(id);
    if (!(await this.integrations.softDelete(id, ctx.now))) throw integrationNotFound(id);
    // Deleting a deleted integration changes nothing: nothing to audit.
    if (current) await this.audit('IntegrationDeleted', id, current, null, ctx);
  }

  @Get(':id/deliveries')
  @RequireScopes('integrations:admin')
  @ApiOperation({
    summary: 'Deliveries received for the integration (also after it was deleted), newest first; headers and bodies with credentials masked, and counts of unauthenticated deliveries not stored',
  })
  @ApiOkResponse({ type: DeliveryPageResponse })
  async deliveries(@Param('id', anyUuid) id: string, @Query() query: ListDeliveriesRequest): Promise<DeliveryPageResponse> {
    if (!(await this.integrations.findAnyById(id))) throw integrationNotFound(id);
    return toDeliveryPageResponse(await this.intake.listDeliveries(id, pageLimitOf(query), query.cursor), await this.unauthenticated.windows(id));
  }

  @Post(':id/deliveries/:deliveryId/reprocess')
  @RequireScopes('integrations:admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Re-process a recorded delivery now (events-v2, alertmanager); safe to repeat: a processed delivery appends nothing new',
  })
  @ApiOkResponse({ type: DeliveryResponse })
  @ApiNotFoundResponse({ description: 'INTEGRATION.NOT_FOUND, DELIVERY.NOT_FOUND (also for a delivery of another integration)' })
  @ApiConflictResponse({ description: 'DELIVERY.SENDER_REDELIVERS (pagerduty-webhooks-v3), DELIVERY.REJECTED (refused as invalid), DELIVERY.UNREADABLE (its body is sealed with a key that is not configured)' })
  async reprocess(@Param('id', anyUuid) id: string, @Param('deliveryId', deliveryUuid) deliveryId: string): Promise<DeliveryResponse> {
    return toDeliveryResponse(await this.commands.execute(new ReprocessAlertDelivery(id, deliveryId)));
  }
}

/** A PATCH's severity overrides on top of the current mapping (absent or null entries keep theirs). */
function mergedMapping(current: SeverityMapping, overrides: Partial<Record<keyof SeverityMapping, SeverityMapping[keyof SeverityMapping] | null>>): SeverityMapping {
  const merged: SeverityMapping = { ...current };
  for (const severity of Object.keys(merged) as (keyof SeverityMapping)[]) {
    const override = overrides[severity];
    if (override !== undefined && override !== null) merged[severity] = override;
  }
  return merged;
}
