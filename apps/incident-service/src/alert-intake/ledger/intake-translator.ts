import type { AlertCommandResult } from '../application/execute-alert.command';
import type { AlertDeliveryRef } from '../domain/alert-delivery';
import type { AlertLabelNames } from '../domain/alert-labels';
import type { AlertCommand } from '../domain/alert.commands';
import type { IntakeVerdict } from './alert-intake.repository';

/** What processing a row came to. */
export interface IntakeOutcome {
  verdict: Exclude<IntakeVerdict, 'rejected'>;
  reason: string;
}

/**
 * The translator port each alert source implements (`sources/<source>/<source>.source.ts`): turns a
 * stored delivery of its integration type (the JSON body, parsed once and sanitized) into alert
 * commands (run in order), and their results into the ledger's verdict. The processor dispatches on the
 * integration's type (`INTAKE_TRANSLATORS`), so the recovery worker finishes rows of every type.
 * `labels`: which alert labels name the service and the severity (configuration).
 */
export interface IntakeTranslator {
  commandsOf(body: unknown, row: AlertDeliveryRef, labels: AlertLabelNames): Promise<{ ok: true; commands: AlertCommand[] } | { ok: false; errors: string[] }>;
  outcomeOf(commands: AlertCommand[], results: AlertCommandResult[]): IntakeOutcome;
}

