import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@fireline/errors';
import { exponentialBackoffMs, isDatabaseUnavailable } from '@fireline/event-store';
import { parseJsonBody, sanitizeUnstorableText } from '@fireline/http';
import type { IntegrationType } from '../integrations/domain/integration.values';
import { IntegrationRepository } from '../integrations/persistence/integration.repository';
import { ExecuteAlertCommand, type AlertCommandResult } from '../application/execute-alert.command';
import { AlertIntakeRepository, type AlertIntakeRow, type NewIntake } from './alert-intake.repository';
import { AlertDedupRepository, absorbableTrigger, type AbsorbableTrigger } from '../dedup/alert-dedup.repository';
import { alertStreamId } from '../domain/alert-stream';
import type { AlertCommand } from '../domain/alert.commands';
import type { AlertLabelNames } from '../domain/alert-labels';
import { DEFAULT_ALERT_INTAKE_CONFIG, type IncidentServiceConfig } from '../../config/incident-service.config';
import { INCIDENT_SERVICE_CONFIG } from '../../incident-service.subscriptions';
import { INTAKE_TRANSLATORS, type IntakeOutcome } from './alert-intake.translators';
import { IntakePressure, type IntakePressureLimits } from './intake-pressure';

/** How long a processor owns a row before the worker may take it over (a crash, a hung request). */
export const INTAKE_LEASE_MS = 30_000;
/** After this many failed attempts a row is closed with its last error instead of retried. */
export const INTAKE_MAX_ATTEMPTS = 10;

/** Retry delay of a row whose attempt met an unavailable database (not counted as an attempt). */
export const INTAKE_UNAVAILABLE_RETRY_MS = 1_000;
/** Failures kept in memory while they cannot be recorded; beyond, the oldest is left to its lease. */
const MAX_UNRECORDED = 10_000;

/**
 * Deliveries one instance processes in their own requests at once; beyond, a delivery is recorded and
 * answered at once, and the worker processes it (`AlertIntakeProcessor.admit`).
 */
export const INTAKE_INLINE_CONCURRENCY = 4;

/**
 * When the intake of one instance is under pressure (an alert storm: processing gives way, see
 * `IntakePressure`): more than 8 deliveries being admitted at once, or more than 100 arriving within a
 * second (far beyond what alerting tools send outside a storm), and for 1 s after.
 */
export const INTAKE_PRESSURE_LIMITS: Readonly<IntakePressureLimits> = Object.freeze({ inFlight: 2 * INTAKE_INLINE_CONCURRENCY, arrivalsPerSecond: 100, holdMs: 1_000 });

/** What `admit` did with a delivery. */
export type Admission = 'absorbed' | 'processed' | 'queued';

/** Retry delay after the n-th failed attempt: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function intakeRetryDelayMs(attempts: number): number {
  return exponentialBackoffMs(attempts, { initialMs: 1000, maxMs: 300_000 });
}

export type { IntakeOutcome } from './intake-translator';

/**
 * Processes one ledger row: re-reads the delivery from the stored body (parsed as every body is, then
 * `sanitizeUnstorableText`, as at intake, so the same raw body always makes the same alert) with the translator of the
 * integration's type (`INTAKE_TRANSLATORS`: the caller passes the type, the recovery worker lets it be
 * looked up), runs its alert commands in order (command ids derive from the row id, so a second
 * processing appends nothing), and records the verdict. Never
 * throws: a failure is stored on the row (`error`) for the worker to retry with backoff, and a
 * permanent one (the stored body no longer validates, a domain refusal) closes the row with its error.
 * An unavailable database (`isDatabaseUnavailable`) is not a failed attempt: the row is retried a
 * second later, however long the outage, and never given up. A failure that cannot be recorded because
 * the database is away is kept in memory and recorded by the worker's next poll that reaches the
 * database (`recordPendingFailures`), so the row is retried within seconds of the database's return
 * instead of when its lease runs out (which still covers a process that dies meanwhile).
 */
@Injectable()
export class AlertIntakeProcessor {
  private readonly logger = new Logger(AlertIntakeProcessor.name);
  /** Row id -> how to record its failure, for failures the database was not there to take. */
  private readonly unrecorded = new Map<string, () => Promise<void>>();

  constructor(
    private readonly commands: CommandBus,
    private readonly intake: AlertIntakeRepository,
    private readonly integrations: IntegrationRepository,
    private readonly dedup: AlertDedupRepository,
    @Inject(INCIDENT_SERVICE_CONFIG) config: Pick<IncidentServiceConfig, 'alertIntake'>,
  ) {
    this.labels = (config.alertIntake ?? DEFAULT_ALERT_INTAKE_CONFIG).labels;
  }

  private readonly labels: AlertLabelNames;
  /** Deliveries being processed in their requests now. */
  private inline = 0;
  /** Whether deliveries arrive faster than they are admitted (this instance, in memory). */
  readonly pressure = new IntakePressure(INTAKE_PRESSURE_LIMITS);
  /** What `admit` did since start (in memory, this instance). */
  readonly admissions: Record<Admission, number> = { absorbed: 0, processed: 0, queued: 0 };
  private onQueued: (() => void) | null = null;

  /** Called when a delivery is left due for the worker (`AlertIntakeWorker` wakes on it). */
  whenQueued(listener: () => void): void {
    this.onQueued = listener;
  }

  /**
   * Records a valid delivery (`AlertIntakeRepository.insertAcceptedOrAbsorbed`) and decides who
   * processes it:
   * - `absorbed`: a lone trigger of an open alert (`absorb` names its stream and severity rank), recorded
   *   as a processed duplicate in the same statement — nothing left to do;
   * - `processed`: processed here, in the request, when fewer than `INTAKE_INLINE_CONCURRENCY`
   *   deliveries are and the intake is not under pressure (no polling delay, the sender's order kept:
   *   its next delivery comes after this answer);
   * - `queued`: recorded due for the worker, answered at once — when that many are in progress or the
   *   intake is under pressure (`pressure`, `INTAKE_PRESSURE_LIMITS`: more than 8 deliveries being
   *   admitted at once or 100 arriving in a second, within the last second; an alert storm: the ledger is the
   *   queue, the senders are not held up, and the worker processes at a bounded pace until it passes),
   *   or when an earlier delivery of the same dedup key is still waiting (which it must not overtake;
   *   the worker keeps the order per key).
   * Never throws for a processing failure (see `process`); throws only when the delivery could not be
   * recorded (then nothing was, and the sender must retry).
   */
  async admit(intake: NewIntake, integrationType: IntegrationType, absorb: AbsorbableTrigger | null = null): Promise<Admission> {
    this.pressure.enter();
    const reserved = this.inline < INTAKE_INLINE_CONCURRENCY && !this.pressure.isHigh();
    if (reserved) this.inline++;
    try {
      const recorded = await this.intake.insertAcceptedOrAbsorbed(intake, reserved ? INTAKE_LEASE_MS : 0, absorb);
      if (recorded.verdict === 'duplicate') {
        this.admissions.absorbed++;
        return 'absorbed';
      }
      if (!recorded.leased) {
        this.admissions.queued++;
        this.onQueued?.();
        return 'queued';
      }
      await this.process({ id: intake.id, integrationId: intake.integrationId, receivedAt: intake.receivedAt, rawBody: intake.rawBody, attempts: 1 }, integrationType);
      this.admissions.processed++;
      return 'processed';
    } finally {
      this.pressure.leave();
      if (reserved) this.inline--;
    }
  }

  async process(
    row: Pick<AlertIntakeRow, 'id' | 'integrationId' | 'receivedAt' | 'rawBody' | 'attempts'>,
    integrationType?: IntegrationType,
  ): Promise<IntakeOutcome | null> {
    try {
      const type = integrationType ?? (await this.integrations.typeOf(row.integrationId)) ?? undefined;
      const translator = type === undefined ? undefined : INTAKE_TRANSLATORS[type];
      if (translator === undefined) {
        await this.intake.markProcessed(row.id, 'accepted', 'not processable', `no intake translator for integration type ${type ?? '(integration missing)'}`);
        return null;
      }
      // The ledger keeps the body as sent: sanitized again here, the same way as at intake.
      const translated = await translator.commandsOf(sanitizeUnstorableText(parseJsonBody(row.rawBody)).value, row, this.labels);
      if (!translated.ok) {
        await this.intake.markProcessed(row.id, 'accepted', 'not processable', translated.errors.join('; '));
        return null;
      }
      const absorbed = await this.absorbIdenticalTrigger(translated.commands, row.id);
      if (absorbed !== null) return absorbed;
      const results: AlertCommandResult[] = [];
      for (const command of translated.commands) results.push(await this.commands.execute(new ExecuteAlertCommand(command)));
      await this.touchGroupMembers(translated.commands, row.receivedAt);
      const outcome = translator.outcomeOf(translated.commands, results);
      await this.intake.markProcessed(row.id, outcome.verdict, outcome.reason);
      return outcome;
    } catch (error: unknown) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const unavailable = isDatabaseUnavailable(error);
      const permanent = !unavailable && error instanceof DomainError && error.kind !== 'concurrency';
      this.logger.warn(`Alert intake ${row.id} attempt ${row.attempts} ${unavailable ? 'met an unavailable database' : 'failed'}: ${message}`);
      await this.recordFailure(row.id, () => {
        if (unavailable) return this.intake.markFailed(row.id, message, INTAKE_UNAVAILABLE_RETRY_MS, false);
        if (permanent || row.attempts >= INTAKE_MAX_ATTEMPTS) {
          return this.intake.markProcessed(row.id, 'accepted', permanent ? 'not processable' : `gave up after ${row.attempts} attempts`, message);
        }
        return this.intake.markFailed(row.id, message, intakeRetryDelayMs(row.attempts));
      });
      return null;
    }
  }

  /** Records when each member of a grouped delivery was last sent (for alert expiry). */
  private async touchGroupMembers(commands: AlertCommand[], at: Date): Promise<void> {
    const grouped = commands.filter((c) => c.type !== 'AcknowledgeAlert' && c.data.fingerprint !== undefined);
    if (grouped.length === 0) return;
    const { integrationId, dedupKey } = grouped[0].data;
    const fingerprints = (type: AlertCommand['type']) => grouped.filter((c) => c.type === type).map((c) => (c.data as { fingerprint: string }).fingerprint);
    await this.dedup.touchMembers(alertStreamId(integrationId, dedupKey), fingerprints('TriggerAlert'), fingerprints('ResolveAlert'), at);
  }

  /**
   * The cheap path of a storm (issue 11, point 7) for a row recorded `accepted`: a lone ungrouped trigger
   * (Events v2) of an alert that is open has its row closed as `duplicate` in one statement (counted into
   * `alert_dedup` later), without reading or appending to the alert stream. `null` when the full path is needed (nothing is open, a
   * resolve not mirrored yet, a more severe trigger, a grouped command, an acknowledge or resolve).
   */
  private async absorbIdenticalTrigger(commands: AlertCommand[], intakeId: string): Promise<IntakeOutcome | null> {
    const absorbable = absorbableTrigger(commands);
    if (absorbable === null) return null;
    const absorbed = await this.dedup.absorbTrigger(absorbable, intakeId);
    if (absorbed === null) return null;
    return { verdict: 'duplicate', reason: `deduplicated into open incarnation ${absorbed.incarnation}` };
  }

  /**
   * Records the failures that could not be recorded while the database was away, oldest first; stops
   * at the first that still cannot be. Called by the worker before each poll.
   * @throws the database's error while it is still unavailable.
   */
  async recordPendingFailures(): Promise<void> {
    for (const [id, record] of [...this.unrecorded]) {
      try {
        await record();
      } catch (error: unknown) {
        if (isDatabaseUnavailable(error)) throw error;
        this.logger.error(`Could not record the failure of alert intake ${id}: ${String(error)}`);
      }
      this.unrecorded.delete(id);
    }
  }

  private async recordFailure(id: string, record: () => Promise<void>): Promise<void> {
    try {
      await record();
    } catch (recordError: unknown) {
      if (isDatabaseUnavailable(recordError)) {
        this.unrecorded.delete(id);
        this.unrecorded.set(id, record);
        if (this.unrecorded.size > MAX_UNRECORDED) this.unrecorded.delete(this.unrecorded.keys().next().value as string);
        return;
      }
      // The row keeps its lease; the worker retries it once the lease runs out.
      this.logger.error(`Could not record the failure of alert intake ${id}: ${String(recordError)}`);
    }
  }
}
