import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@fireline/errors';
import { ExecuteAlertCommand, type AlertCommandResult } from '../application/execute-alert-command';
import type { AlertCommand } from '../domain/alert.commands';
import { parseEventsV2Event } from '../http/events-v2-event.request';
import { AlertIntakeRepository, type AlertIntakeRow, type IntakeVerdict } from './alert-intake.repository';
import { alertCommandOfEventsV2 } from './events-v2.translator';

/** How long a processor owns a row before the worker may take it over (a crash, a hung request). */
export const INTAKE_LEASE_MS = 30_000;
/** After this many failed attempts a row is closed with its last error instead of retried. */
export const INTAKE_MAX_ATTEMPTS = 10;

/** Retry delay after the n-th failed attempt: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function intakeRetryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/** What processing a row came to. */
export interface IntakeOutcome {
  verdict: Exclude<IntakeVerdict, 'rejected'>;
  reason: string;
}

/** The verdict and its reason, from what the alert command appended (or, when nothing, from the state). */
export function intakeOutcomeOf(command: AlertCommand, result: AlertCommandResult): IntakeOutcome {
  const event = result.newEvents[0];
  if (event === undefined) {
    const open = result.alert.status === 'triggered' || result.alert.status === 'acknowledged';
    const action = command.type === 'AcknowledgeAlert' ? 'acknowledge' : 'resolve';
    return { verdict: 'duplicate', reason: open ? `dropped: alert already ${result.alert.status}` : `dropped: no open alert to ${action}` };
  }
  const incarnation = (event.data as { incarnation?: number }).incarnation;
  switch (event.type) {
    case 'AlertTriggered':
      return { verdict: 'accepted', reason: `triggered: opened incarnation ${incarnation}` };
    case 'AlertRetriggered':
      return { verdict: 'duplicate', reason: `deduplicated into open incarnation ${incarnation} (trigger #${(event.data as { triggerCount: number }).triggerCount})` };
    case 'AlertAcknowledged':
      return { verdict: 'accepted', reason: `acknowledged incarnation ${incarnation}` };
    case 'AlertResolved':
      return { verdict: 'accepted', reason: `resolved incarnation ${incarnation}` };
    default:
      return { verdict: 'accepted', reason: event.type };
  }
}

/**
 * Processes one ledger row: re-reads the event from the stored body, runs its alert command
 * (`commandId` = row id, so a second processing appends nothing), and records the verdict. Never
 * throws: a failure is stored on the row (`error`) for the worker to retry with backoff, and a
 * permanent one (the stored body no longer validates, a domain refusal) closes the row with its error.
 */
@Injectable()
export class AlertIntakeProcessor {
  private readonly logger = new Logger(AlertIntakeProcessor.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly intake: AlertIntakeRepository,
  ) {}

  async process(row: Pick<AlertIntakeRow, 'id' | 'integrationId' | 'receivedAt' | 'rawBody' | 'attempts'>): Promise<IntakeOutcome | null> {
    try {
      const parsed = await parseEventsV2Event(JSON.parse(row.rawBody) as unknown);
      if (!parsed.ok) {
        await this.intake.markProcessed(row.id, 'accepted', 'not processable', parsed.errors.join('; '));
        return null;
      }
      const command = alertCommandOfEventsV2(parsed.event, row);
      const outcome = intakeOutcomeOf(command, await this.commands.execute(new ExecuteAlertCommand(command)));
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
