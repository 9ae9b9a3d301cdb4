import { sanitizeUnstorableText } from '@fireline/http';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { credentialHashFor } from '../../integrations/domain/integration-credentials';
import { IntegrationRepository } from '../../integrations/persistence/integration.repository';
import { parseEventsV2Event } from './events-v2-event.request.dto';
import { AlertIntakeRepository, type NewIntake } from '../../ledger/alert-intake.repository';
import { AlertIntakeProcessor } from '../../ledger/alert-intake.processor';
import { alertCommandOfEventsV2, generatedDedupKey } from './events-v2.translator';
import { Inject } from '@nestjs/common';
import type { AlertLabelNames } from '../../domain/alert-labels';
import { absorbableTrigger } from '../../dedup/alert-dedup.repository';
import { DEFAULT_ALERT_INTAKE_CONFIG, type IncidentServiceConfig } from '../../../config/incident-service.config';
import { INCIDENT_SERVICE_CONFIG } from '../../../incident-service.subscriptions';

/** What became of a delivery: recorded and answered 202, or refused (400) with PagerDuty-style errors. */
export type IngestOutcome = { status: 'accepted'; intakeId: string; dedupKey: string } | { status: 'invalid'; intakeId: string | null; errors: string[] };

/** One delivery to `POST /v2/enqueue`: the parsed JSON body and the headers to keep. */
export class IngestEventsV2Event extends Command<IngestOutcome> {
  constructor(
    readonly body: unknown,
    readonly headers: Record<string, unknown>,
    readonly receivedAt: Date,
  ) {
    super();
  }
}

/** PagerDuty's answer for a well-formed routing key that belongs to no integration. */
export const UNKNOWN_ROUTING_KEY_ERROR = 'Invalid routing key';

/**
 * The body as stored in the ledger: the routing key is a credential, so only its last 4 characters stay
 * (masked to the same 32-character length, so the stored body still validates when reprocessed).
 */
function ledgerBody(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return JSON.stringify(body);
  const copy = { ...(body as Record<string, unknown>) };
  if (typeof copy.routing_key === 'string') copy.routing_key = `${'*'.repeat(28)}${copy.routing_key.slice(-4)}`;
  return JSON.stringify(copy);
}

/**
 * Intake of one Events API v2 delivery. Text PostgreSQL cannot store (NUL, lone surrogates) is replaced
 * with U+FFFD first (`sanitizeUnstorableText`; the ledger keeps the body as sent and lists the fields):
 * a sender does not fix its payload on a 400, and a page must not be dropped over one character.
 * 1. find the integration by the hash of `routing_key` (unknown or deleted: 400, nothing recorded —
 *    without an integration there is no ledger to audit it in, and recording it would let anyone fill
 *    the table);
 * 2. record the delivery in `alert_intake` — `rejected` if invalid (then 400); a lone trigger of an
 *    alert that is open is recorded as an absorbed `duplicate` in the same statement
 *    (`insertAcceptedOrAbsorbed`: the storm's cheap path, one statement per delivery, nothing else to
 *    do); else `accepted` with a processing lease — before anything is answered;
 * 3. process an accepted one right here (see below) unless the instance is busy
 *    (`AlertIntakeProcessor.admit`), then answer 202 with the dedup key.
 *
 * Why process in the request, while there is room: the ledger insert makes the delivery durable
 * before the 2xx either way, and processing in the request opens the incident with no polling delay and
 * keeps a sender's order (a resolve sent after the trigger's 202 is processed after it). Under a storm,
 * beyond `INTAKE_INLINE_CONCURRENCY` deliveries in progress or while the intake is under pressure
 * (`AlertIntakeProcessor.pressure`), a delivery is recorded due and answered at once, and `AlertIntakeWorker` processes the queue, one delivery per dedup key at a time in the order
 * received, so the order still holds per key and the senders are not held up by incident work. The
 * worker is also the recovery path: if processing fails or the process dies after the insert, even
 * after the 202, the row's lease runs out and the worker processes it; the 202 is still right because
 * the delivery is recorded.
 */
@CommandHandler(IngestEventsV2Event)
export class IngestEventsV2EventHandler implements ICommandHandler<IngestEventsV2Event, IngestOutcome> {
  private readonly labels: AlertLabelNames;

  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly intake: AlertIntakeRepository,
    private readonly processor: AlertIntakeProcessor,
    @Inject(INCIDENT_SERVICE_CONFIG) config: Pick<IncidentServiceConfig, 'alertIntake'>,
  ) {
    this.labels = (config.alertIntake ?? DEFAULT_ALERT_INTAKE_CONFIG).labels;
  }

  async execute({ body: received, headers, receivedAt }: IngestEventsV2Event): Promise<IngestOutcome> {
    const { value: body, fields: sanitizedFields } = sanitizeUnstorableText(received);
    const parsed = await parseEventsV2Event(body);
    const routingKey = (body as { routing_key?: unknown } | null)?.routing_key;
    if (typeof routingKey !== 'string' || routingKey.length !== 32) {
      return { status: 'invalid', intakeId: null, errors: parsed.ok ? [UNKNOWN_ROUTING_KEY_ERROR] : parsed.errors };
    }
    // A body with a routing key is an object (the sanitized copy keeps the shape of what was received).
    const integration = await this.integrations.findActiveByCredentialHash('events-v2', credentialHashFor(received as object, routingKey));
    if (!integration) return { status: 'invalid', intakeId: null, errors: [UNKNOWN_ROUTING_KEY_ERROR] };

    const id = randomUUID();
    const raw = body as { event_action?: unknown; dedup_key?: unknown };
    const intake: NewIntake = {
      id,
      integrationId: integration.id,
      receivedAt,
      headers,
      rawBody: ledgerBody(received),
      eventAction: typeof raw.event_action === 'string' ? raw.event_action.slice(0, 50) : null,
      dedupKey: typeof raw.dedup_key === 'string' && raw.dedup_key !== '' ? raw.dedup_key.slice(0, 255) : null,
      sanitizedFields,
    };
    if (!parsed.ok) {
      await this.intake.insertRejected(intake, parsed.errors.join('; '));
      return { status: 'invalid', intakeId: id, errors: parsed.errors };
    }
    const dedupKey = parsed.event.dedup_key ? parsed.event.dedup_key : generatedDedupKey(id);
    // The command the processor would make of the stored body (same body, same row): a lone trigger may be absorbed at once.
    const command = alertCommandOfEventsV2(parsed.event, { id, integrationId: integration.id, receivedAt }, this.labels);
    await this.processor.admit({ ...intake, dedupKey }, integration.type, absorbableTrigger([command]));
    return { status: 'accepted', intakeId: id, dedupKey };
  }
}
