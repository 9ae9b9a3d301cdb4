import { Logger } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, IllegalStateError, NotFoundError, ValidationError } from '@fireline/errors';
import { parseJsonBody, sanitizeUnstorableText } from '@fireline/http';
import { randomUUID } from 'node:crypto';
import { AlertIntakeRepository, type NewIntake } from '../../ledger/alert-intake.repository';
import { UnauthenticatedIntakeGate } from '../../ledger/unauthenticated-intake.gate';
import { ExecuteIncidentCommand } from '../../../incidents/application/execute-incident.command';
import { integrationNotFound } from '../../integrations/domain/integration.errors';
import { IntegrationRepository } from '../../integrations/persistence/integration.repository';
import { mapPagerDutyIncidentEvent } from './pagerduty-webhooks-v3.translator';
import { isAuthenticPagerDutyDelivery } from './pagerduty-signature';
import { parsePagerDutyWebhook } from './pagerduty-webhook-event';
import { PagerDutyWebhookDeliveryRepository, type DeliveryKey } from './pagerduty-webhook-delivery.repository';

/** How long a request owns a PagerDuty event before a redelivery may take it over (a crash, a hang). */
export const PAGERDUTY_DELIVERY_LEASE_MS = 30_000;
/** The ledger keeps this much of an unauthenticated body: enough to investigate, not a free store for anyone. */
const REJECTED_BODY_CHARS = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The answer to an authentic delivery: `applied` (the incident changed), `duplicate` (a redelivery, or
 * nothing left to change) or `ignored` (not mirrored, or refused by the incident for a reason).
 */
export interface PagerDutyDeliveryOutcome {
  status: 'authentic';
  result: 'applied' | 'duplicate' | 'ignored';
  reason: string;
  intakeId: string;
  incidentId: string | null;
}

export type ReceivePagerDutyOutcome = PagerDutyDeliveryOutcome | { status: 'unauthenticated'; intakeId: string };

/**
 * One delivery to `POST /v1/integrations/{id}/pagerduty-webhooks`: the bytes received, the headers to
 * keep (redacted for the ledger) and, apart, the `X-PagerDuty-Signature` to verify (never stored).
 */
export class ReceivePagerDutyWebhook extends Command<ReceivePagerDutyOutcome> {
  constructor(
    readonly integrationId: string,
    readonly rawBody: Buffer,
    readonly headers: Record<string, unknown>,
    readonly receivedAt: Date,
    readonly signature: string | string[] | undefined,
  ) {
    super();
  }
}

export const PAGERDUTY_WEBHOOK_INVALID = 'PAGERDUTY_WEBHOOK.INVALID';

/** Postgres `text` cannot hold NUL; the raw bytes were verified before this, the ledger copy is for people. */
function ledgerText(raw: Buffer, max?: number): string {
  const text = raw.toString('utf8').replaceAll('\u0000', '\uFFFD');
  return max === undefined ? text : text.slice(0, max);
}

/**
 * Intake of one PagerDuty Webhooks v3 delivery:
 * 1. the integration must exist, be live and of type `pagerduty-webhooks-v3` (else 404, nothing recorded);
 * 2. the signature is checked on the raw bytes before anything is parsed: unauthenticated → answered
 *    401, nothing processed, recorded `rejected` (body truncated) only while the integration is under its
 *    cap of unauthenticated deliveries per window (`UnauthenticatedIntakeGate`), else only counted;
 * 3. a malformed body (not JSON, deeper than `MAX_JSON_DEPTH`, no envelope) → recorded `rejected`, 400;
 *    text PostgreSQL cannot store (NUL, lone surrogates) is replaced with U+FFFD (`sanitizeUnstorableText`,
 *    after the signature check: it signs the bytes as sent) in the payload that is processed and that the
 *    ledger's `event_action` and `dedup_key` come from, the fields listed in the ledger;
 * 4. recorded `accepted` in `alert_intake` (durable before any 2xx), then the event is claimed in
 *    `pagerduty_webhook_deliveries`: a redelivery of a processed event is a `duplicate`, no effect;
 * 5. the mapped incident command runs through `ExecuteIncidentCommand` (its `commandId` comes from
 *    `event.id`); refusals by the incident become `ignored` with their reason, never a 5xx.
 * An unexpected failure releases the claim and is rethrown (5xx): PagerDuty redelivers, and the
 * redelivery processes the event (the command id keeps a partial first attempt from counting twice).
 */
@CommandHandler(ReceivePagerDutyWebhook)
export class ReceivePagerDutyWebhookHandler implements ICommandHandler<ReceivePagerDutyWebhook, ReceivePagerDutyOutcome> {
  private readonly logger = new Logger(ReceivePagerDutyWebhookHandler.name);

  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly intake: AlertIntakeRepository,
    private readonly deliveries: PagerDutyWebhookDeliveryRepository,
    private readonly commands: CommandBus,
    private readonly unauthenticated: UnauthenticatedIntakeGate,
  ) {}

  async execute({ integrationId, rawBody, headers, receivedAt, signature }: ReceivePagerDutyWebhook): Promise<ReceivePagerDutyOutcome> {
    const integration = UUID.test(integrationId) ? await this.integrations.findActiveById(integrationId.toLowerCase()) : null;
    if (!integration || integration.type !== 'pagerduty-webhooks-v3') throw integrationNotFound(integrationId);

    const intakeId = randomUUID();
    const webhookId = typeof headers['x-webhook-id'] === 'string' && headers['x-webhook-id'] !== '' ? headers['x-webhook-id'].slice(0, 255) : null;
    const base: NewIntake = { id: intakeId, integrationId: integration.id, receivedAt, headers, rawBody: '', eventAction: null, dedupKey: webhookId };

    if (!isAuthenticPagerDutyDelivery(rawBody, signature, integration.signingSecrets)) {
      if (await this.unauthenticated.admit(integration.id)) {
        await this.intake.insertRejected({ ...base, rawBody: ledgerText(rawBody, REJECTED_BODY_CHARS) }, 'signature: no v1 signature matches a signing secret');
      }
      return { status: 'unauthenticated', intakeId };
    }

    const rawText = ledgerText(rawBody);
    let body: unknown;
    try {
      body = parseJsonBody(rawBody.toString('utf8'));
    } catch (error: unknown) {
      if (!(error instanceof ValidationError)) throw error;
      await this.intake.insertRejected({ ...base, rawBody: rawText }, `${error.code}: ${error.message}`);
      throw new ValidationError(PAGERDUTY_WEBHOOK_INVALID, `Invalid PagerDuty webhook: ${error.message}`, error.fieldErrors);
    }
    // Verified above on the raw bytes; only now is unstorable text (NUL, lone surrogates) replaced with U+FFFD.
    const { value: sanitized, fields: sanitizedFields } = sanitizeUnstorableText(body);
    const parsed = parsePagerDutyWebhook(sanitized);
    if (!parsed.ok) {
      const detail = parsed.errors.map((e) => `${e.field} ${e.message}`).join('; ');
      await this.intake.insertRejected({ ...base, rawBody: rawText }, detail);
      throw new ValidationError(PAGERDUTY_WEBHOOK_INVALID, `Invalid PagerDuty webhook: ${detail}`, parsed.errors);
    }
    const { event } = parsed;
    await this.intake.insertAccepted(
      { ...base, rawBody: rawText, eventAction: event.eventType.slice(0, 50), dedupKey: event.id, sanitizedFields },
      PAGERDUTY_DELIVERY_LEASE_MS,
    );

    const key: DeliveryKey = { integrationId: integration.id, eventId: event.id, webhookId };
    const claim = await this.deliveries.claim({ ...key, eventType: event.eventType, intakeId, receivedAt }, PAGERDUTY_DELIVERY_LEASE_MS);
    if (claim.status !== 'claimed') {
      const reason = `redelivery of PagerDuty event ${event.id} (${claim.status === 'processed' ? `already processed: ${claim.reason ?? claim.verdict}` : 'being processed'})`;
      await this.intake.markProcessed(intakeId, 'duplicate', reason);
      return { status: 'authentic', result: 'duplicate', reason, intakeId, incidentId: null };
    }

    try {
      const outcome = await this.apply(integration, event, receivedAt, intakeId);
      await this.intake.markProcessed(intakeId, outcome.result === 'duplicate' ? 'duplicate' : 'accepted', outcome.reason);
      await this.deliveries.complete(key, outcome.result, outcome.reason);
      return outcome;
    } catch (error: unknown) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.logger.warn(`PagerDuty delivery ${intakeId} (event ${event.id}) failed: ${message}`);
      // Closed in the ledger so that the alert intake worker never picks it up; PagerDuty's retry is the recovery.
      await this.intake.markProcessed(intakeId, 'accepted', 'failed: answered 5xx for PagerDuty to redeliver', message.slice(0, 2000)).catch(() => undefined);
      await this.deliveries.release(key).catch(() => undefined);
      throw error;
    }
  }

  private async apply(
    integration: { id: string; name: string; service: string },
    event: Parameters<typeof mapPagerDutyIncidentEvent>[0]['event'],
    receivedAt: Date,
    intakeId: string,
  ): Promise<PagerDutyDeliveryOutcome> {
    const mapping = mapPagerDutyIncidentEvent({ integration, event, receivedAt, correlationId: intakeId });
    if (mapping.kind === 'ignore') return { status: 'authentic', result: 'ignored', reason: mapping.reason, intakeId, incidentId: null };
    const { command } = mapping;
    const incidentId = command.data.incidentId;
    try {
      const result = await this.commands.execute(new ExecuteIncidentCommand(command));
      if (result.newEvents.length === 0) {
        return { status: 'authentic', result: 'duplicate', reason: `${command.type}: no change (incident already ${result.incident.status})`, intakeId, incidentId };
      }
      return { status: 'authentic', result: 'applied', reason: `${command.type}: ${result.newEvents.map((e) => e.type).join(', ')}`, intakeId, incidentId };
    } catch (error: unknown) {
      if (error instanceof NotFoundError) {
        const reason = `ignored: PagerDuty incident ${mapping.pagerDutyIncidentId} was never mirrored (no incident.triggered received) — ${command.type} dropped`;
        return { status: 'authentic', result: 'ignored', reason, intakeId, incidentId: null };
      }
      if (error instanceof IllegalStateError) {
        return { status: 'authentic', result: 'duplicate', reason: `ignored: ${command.type} refused, ${error.code}: ${error.message}`, intakeId, incidentId };
      }
      if (error instanceof ValidationError) {
        // Permanent: a redelivery would be refused the same way, so it is recorded and answered 2xx.
        return { status: 'authentic', result: 'ignored', reason: `ignored: not processable, ${error.code}: ${error.message}`, intakeId, incidentId };
      }
      if (error instanceof DomainError && error.kind !== 'concurrency') {
        return { status: 'authentic', result: 'ignored', reason: `ignored: ${error.code}: ${error.message}`, intakeId, incidentId };
      }
      throw error;
    }
  }
}
