import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@fireline/errors';
import { parseJsonBody, sanitizeUnstorableText } from '@fireline/http';
import type { IntegrationType } from '../../integrations/domain/integration.values';
import { IntegrationRepository } from '../../integrations/persistence/integration.repository';
import { ExecuteAlertCommand, type AlertCommandResult } from '../application/execute-alert-command';
import { AlertIntakeRepository, type AlertIntakeRow } from './alert-intake.repository';
import { INTAKE_TRANSLATORS, type IntakeOutcome } from './alert-intake.translators';

/** How long a processor owns a row before the worker may take it over (a crash, a hung request). */
export const INTAKE_LEASE_MS = 30_000;
/** After this many failed attempts a row is closed with its last error instead of retried. */
export const INTAKE_MAX_ATTEMPTS = 10;

/** Retry delay after the n-th failed attempt: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function intakeRetryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export { intakeOutcomeOf, type IntakeOutcome } from './alert-intake.translators';

/**
 * Processes one ledger row: re-reads the delivery from the stored body (parsed as every body is, then
 * `sanitizeUnstorableText`, as at intake, so the same raw body always makes the same alert) with the translator of the
 * integration's type (`INTAKE_TRANSLATORS`: the caller passes the type, the recovery worker lets it be
 * looked up), runs its alert commands in order (command ids derive from the row id, so a second
 * processing appends nothing), and records the verdict. Never
 * throws: a failure is stored on the row (`error`) for the worker to retry with backoff, and a
 * permanent one (the stored body no longer validates, a domain refusal) closes the row with its error.
 */
@Injectable()
export class AlertIntakeProcessor {
  private readonly logger = new Logger(AlertIntakeProcessor.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly intake: AlertIntakeRepository,
    private readonly integrations: IntegrationRepository,
  ) {}

  async process(
    row: Pick<AlertIntakeRow, 'id' | 'integrationId' | 'receivedAt' | 'rawBody' | 'attempts'>,
    integrationType?: IntegrationType,
  ): Promise<IntakeOutcome | null> {
    try {
      const type = integrationType ?? (await this.integrations.findAnyById(row.integrationId))?.type;
      const translator = type === undefined ? undefined : INTAKE_TRANSLATORS[type];
      if (translator === undefined) {
        await this.intake.markProcessed(row.id, 'accepted', 'not processable', `no intake translator for integration type ${type ?? '(integration missing)'}`);
        return null;
      }
      // The ledger keeps the body as sent: sanitized again here, the same way as at intake.
      const translated = await translator.commandsOf(sanitizeUnstorableText(parseJsonBody(row.rawBody)).value, row);
      if (!translated.ok) {
        await this.intake.markProcessed(row.id, 'accepted', 'not processable', translated.errors.join('; '));
        return null;
      }
      const results: AlertCommandResult[] = [];
      for (const command of translated.commands) results.push(await this.commands.execute(new ExecuteAlertCommand(command)));
      const outcome = translator.outcomeOf(translated.commands, results);
      await this.intake.markProcessed(row.id, outcome.verdict, outcome.reason);
      return outcome;
    } catch (error: unknown) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const permanent = error instanceof DomainError && error.kind !== 'concurrency';
      this.logger.warn(`Alert intake ${row.id} attempt ${row.attempts} failed: ${message}`);
      try {
        if (permanent || row.attempts >= INTAKE_MAX_ATTEMPTS) {
          await this.intake.markProcessed(row.id, 'accepted', permanent ? 'not processable' : `gave up after ${row.attempts} attempts`, message);
        } else {
          await this.intake.markFailed(row.id, message, intakeRetryDelayMs(row.attempts));
        }
      } catch (recordError: unknown) {
        // The row keeps its lease; the worker retries it once the lease runs out.
        this.logger.error(`Could not record the failure of alert intake ${row.id}: ${String(recordError)}`);
      }
      return null;
    }
  }
}
