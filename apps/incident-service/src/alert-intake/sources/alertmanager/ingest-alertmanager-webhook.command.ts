import { sanitizeUnstorableText } from '@fireline/http';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { FieldError } from '@fireline/errors';
import { randomUUID } from 'node:crypto';
import { credentialHash } from '../../integrations/domain/integration-credentials';
import { integrationNotFound } from '../../integrations/domain/integration.errors';
import { IntegrationRepository } from '../../integrations/persistence/integration.repository';
import { parseAlertmanagerWebhook } from './alertmanager-webhook';
import { AlertIntakeRepository, type NewIntake } from '../../ledger/alert-intake.repository';
import { AlertIntakeProcessor } from '../../ledger/alert-intake.processor';
import { dedupKeyOfGroup } from './alertmanager.translator';
import { UnauthenticatedIntakeGate } from '../../ledger/unauthenticated-intake.gate';

/** The ledger keeps this much of an unauthenticated body: enough to investigate, not a free store for anyone. */
const UNAUTHENTICATED_BODY_CHARS = 4096;

/**
 * What became of a delivery: recorded (and normally processed), refused as invalid (recorded as
 * `rejected`), or not authenticated (recorded as `rejected` while under the per-window cap, else only
 * counted). An unknown integration throws `NotFoundError`.
 */
export type AlertmanagerIngestOutcome =
  | { status: 'accepted'; intakeId: string }
  | { status: 'invalid'; intakeId: string; errors: FieldError[] }
  | { status: 'unauthorized' };

/** One delivery to `POST /v1/integrations/:id/alertmanager`. */
export class IngestAlertmanagerWebhook extends Command<AlertmanagerIngestOutcome> {
  constructor(
    readonly integrationId: string,
    /** The `Authorization` header as sent (never stored). */
    readonly authorization: string | undefined,
    readonly body: unknown,
    readonly headers: Record<string, unknown>,
    readonly receivedAt: Date,
  ) {
    super();
  }
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 9110 §11.1), or null. */
export function bearerTokenOf(authorization: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  return match ? match[1] : null;
}

/**
 * Intake of one Alertmanager delivery, in the order that leaks the least:
 * 1. the integration must exist, not be deleted and be of type `alertmanager` — else `NotFoundError`
 *    (404; ids are random UUIDs, so this tells a prober nothing useful);
 * 2. the bearer token must hash (sha256) to that integration's credential — else `unauthorized` (401),
 *    recorded as `rejected` (headers redacted, body cut to 4 KiB) only while the integration is under
 *    its cap of unauthenticated deliveries per window (`UnauthenticatedIntakeGate`), else only counted:
 *    an operator sees what a misconfigured sender sends, and nobody can fill the ledger;
 * 3. text PostgreSQL cannot store (NUL, lone surrogates, in label keys too) is replaced with U+FFFD
 *    (`sanitizeUnstorableText`) in the payload that is processed and that the ledger's `event_action` and
 *    `dedup_key` come from; the ledger keeps the body as sent (JSON, so those characters are escapes:
 *    sealed, and redacted for display) and lists the fields;
 * 4. the delivery is recorded in `alert_intake` before anything is answered — `rejected` when the body
 *    is not a valid version-4 payload (then 400), else `accepted` with a processing lease;
 * 5. processed right here (same reasons as Events API v2: `IngestEventsV2EventHandler`), the worker
 *    being the recovery path; the answer is 200 once recorded, even if processing failed (it is retried).
 */
@CommandHandler(IngestAlertmanagerWebhook)
export class IngestAlertmanagerWebhookHandler implements ICommandHandler<IngestAlertmanagerWebhook, AlertmanagerIngestOutcome> {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly intake: AlertIntakeRepository,
    private readonly processor: AlertIntakeProcessor,
    private readonly unauthenticated: UnauthenticatedIntakeGate,
  ) {}

  async execute({ integrationId, authorization, body: received, headers, receivedAt }: IngestAlertmanagerWebhook): Promise<AlertmanagerIngestOutcome> {
    const integration = await this.integrations.findActiveById(integrationId);
    if (!integration || integration.type !== 'alertmanager') throw integrationNotFound(integrationId);
    const token = bearerTokenOf(authorization);
    const owner = token === null ? null : await this.integrations.findActiveByCredentialHash('alertmanager', credentialHash(token));
    if (owner?.id !== integration.id) {
      if (await this.unauthenticated.admit(integrationId)) {
        const reason = token === null ? 'unauthenticated: no Authorization: Bearer token' : 'unauthenticated: the bearer token is not this integration’s';
        const rawBody = (JSON.stringify(received) ?? '').slice(0, UNAUTHENTICATED_BODY_CHARS);
        await this.intake.insertRejected({ id: randomUUID(), integrationId, receivedAt, headers, rawBody, eventAction: null, dedupKey: null }, reason);
      }
      return { status: 'unauthorized' };
    }

    const id = randomUUID();
    const { value: body, fields: sanitizedFields } = sanitizeUnstorableText(received);
    const raw = (typeof body === 'object' && body !== null ? body : {}) as { status?: unknown; groupKey?: unknown };
    const intake: NewIntake = {
      id,
      integrationId,
      receivedAt,
      headers,
      rawBody: JSON.stringify(received),
      sanitizedFields,
      // The ledger's `event_action` holds the group status (firing/resolved), `dedup_key` the group.
      eventAction: typeof raw.status === 'string' ? raw.status.slice(0, 50) : null,
      dedupKey: typeof raw.groupKey === 'string' && raw.groupKey !== '' ? dedupKeyOfGroup(raw.groupKey) : null,
    };
    const parsed = parseAlertmanagerWebhook(body);
    if (!parsed.ok) {
      await this.intake.insertRejected(intake, parsed.errors.map((e) => `${e.field} ${e.message}`).join('; ').slice(0, 2000));
      return { status: 'invalid', intakeId: id, errors: parsed.errors };
    }
    await this.processor.admit(intake, integration.type);
    return { status: 'accepted', intakeId: id };
  }
}
