import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AlertIntakeView, DeliveryPage } from '../../ledger/alert-intake.repository';
import type { UnauthenticatedWindow } from '../../ledger/unauthenticated-intake.gate';
import type { Integration } from '../domain/integration';
import { AUTO_RESOLVE_POLICIES, INTEGRATION_TYPES, type AutoResolvePolicy, type IntegrationType, type SeverityMapping } from '../domain/integration.values';

/** An integration as served: never its credential or signing secrets (only how many there are). */
export class IntegrationResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: INTEGRATION_TYPES }) type!: IntegrationType;
  @ApiProperty() name!: string;
  @ApiProperty() service!: string;
  @ApiProperty({ example: { critical: 'SEV1', error: 'SEV2', warning: 'SEV3', info: 'SEV4' } }) severityMapping!: SeverityMapping;
  @ApiProperty({ enum: AUTO_RESOLVE_POLICIES }) autoResolve!: AutoResolvePolicy;
  @ApiProperty({ description: 'pagerduty-webhooks-v3: how many signing secrets are stored' }) signingSecretCount!: number;
  @ApiProperty() createdAt!: string;
}

/** A page of `GET /v1/integrations`. */
export class IntegrationPageResponse {
  @ApiProperty({ type: [IntegrationResponse] }) items!: IntegrationResponse[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}

/** Shown once, in the answer to the creation; only a hash is stored. */
export class IntegrationCredentialsResponse {
  @ApiPropertyOptional({ description: 'events-v2: the routing key (integration key) to send with every event' }) routingKey?: string;
  @ApiPropertyOptional({ description: 'alertmanager: the bearer token for `http_config.authorization`' }) token?: string;
}

/** `201` of `POST /v1/integrations`. */
export class CreatedIntegrationResponse extends IntegrationResponse {
  @ApiPropertyOptional({ type: IntegrationCredentialsResponse, description: 'absent for pagerduty-webhooks-v3' })
  credentials?: IntegrationCredentialsResponse;
}

export function toIntegrationResponse(integration: Integration): IntegrationResponse {
  return {
    id: integration.id,
    type: integration.type,
    name: integration.name,
    service: integration.service,
    severityMapping: integration.severityMapping,
    autoResolve: integration.autoResolve,
    signingSecretCount: integration.signingSecrets.length,
    createdAt: integration.createdAt.toISOString(),
  };
}

/** One recorded delivery. */
export class DeliveryResponse {
  @ApiProperty() id!: string;
  @ApiProperty() receivedAt!: string;
  @ApiProperty({ enum: ['accepted', 'rejected', 'duplicate'] }) verdict!: string;
  @ApiPropertyOptional({ nullable: true }) reason!: string | null;
  @ApiPropertyOptional({ nullable: true }) eventAction!: string | null;
  @ApiPropertyOptional({ nullable: true }) dedupKey!: string | null;
  @ApiPropertyOptional({ nullable: true }) processedAt!: string | null;
  @ApiPropertyOptional({ nullable: true }) error!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: Object, description: 'request headers; credential headers (authorization, cookie, x-api-key, *token*, *signature*…) shown as "[redacted]"' })
  headers!: Record<string, unknown>;
  @ApiProperty({ description: 'the body as received, with every secret-looking member (routing_key, token, password, …) shown as "…" + last 4 characters and URL credentials removed' })
  rawBody!: string;
  @ApiProperty({
    type: [String],
    description: 'fields whose NUL characters or unpaired UTF-16 surrogates (which PostgreSQL cannot store) were replaced with U+FFFD before processing',
  })
  sanitizedFields!: string[];
}

/** Deliveries that failed authentication in one window: the first few have ledger rows, the rest are only counted. */
export class UnauthenticatedWindowResponse {
  @ApiProperty() windowStart!: string;
  @ApiProperty() windowEnd!: string;
  @ApiProperty({ description: 'deliveries that failed authentication (bad bearer token, bad signature)' }) received!: number;
  @ApiProperty({ description: 'of which recorded in the ledger as rejected (at most ALERT_INTAKE_UNAUTHENTICATED_MAX_PER_WINDOW)' }) stored!: number;
  @ApiProperty({ description: 'of which only counted' }) notStored!: number;
  @ApiProperty() lastReceivedAt!: string;
}

export class DeliveryPageResponse {
  @ApiProperty({ type: [DeliveryResponse] }) items!: DeliveryResponse[];
  @ApiPropertyOptional({ nullable: true }) nextCursor!: string | null;
  @ApiProperty({ type: [UnauthenticatedWindowResponse], description: 'the latest windows (at most 24) in which deliveries failed authentication, newest first' })
  unauthenticated!: UnauthenticatedWindowResponse[];
}

export function toDeliveryResponse(row: AlertIntakeView): DeliveryResponse {
  return {
    id: row.id,
    receivedAt: row.receivedAt.toISOString(),
    verdict: row.verdict,
    reason: row.reason,
    eventAction: row.eventAction,
    dedupKey: row.dedupKey,
    processedAt: row.processedAt?.toISOString() ?? null,
    error: row.error,
    attempts: row.attempts,
    headers: row.headers,
    rawBody: row.displayBody,
    sanitizedFields: row.sanitizedFields,
  };
}

export function toDeliveryPageResponse(page: DeliveryPage, unauthenticated: UnauthenticatedWindow[]): DeliveryPageResponse {
  return {
    items: page.items.map(toDeliveryResponse),
    nextCursor: page.nextCursor,
    unauthenticated: unauthenticated.map((w) => ({
      windowStart: w.windowStart.toISOString(),
      windowEnd: w.windowEnd.toISOString(),
      received: w.received,
      stored: w.stored,
      notStored: w.notStored,
      lastReceivedAt: w.lastReceivedAt.toISOString(),
    })),
  };
}
