import { forEachConcurrently, isDatabaseUnavailable, PollLoop } from '@fireline/event-store';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { setTimeout } from 'node:timers/promises';
import { AlertIntakeRepository, type AlertIntakeRow } from './alert-intake.repository';
import { AlertIntakeProcessor, INTAKE_LEASE_MS } from './alert-intake.processor';

const POLL_INTERVAL_MS = 1000;
const BATCH_SIZE = 20;
/** Claimed deliveries processed at once (they are of different dedup keys: at most one per key per claim). */
const CONCURRENCY = 4;
/**
 * While the intake is under pressure (`AlertIntakeProcessor.pressure`): one delivery at a time, each
 * taking at least this long (~16 a second per instance), so that a storm's deliveries are recorded and
 * answered first while its oldest ones still open their incidents (measured in bench/README.md:
 * mixed-key storm; 30 ms until the queue's lookups stopped reading whole indexes and each delivery got
 * cheaper, which let the same pace take more of the cores). A pace rather than a concurrency: one lane
 * alone takes as many deliveries as its cascade lets it, and the cheaper that cascade, the more of the
 * CPU it would take from the intake.
 */
export const UNDER_PRESSURE_PACE_MS = 60;

/**
 * The queue side of the intake ledger. Deliveries are processed in the request that records them while
 * the instance has room (`AlertIntakeProcessor.admit`); this loop processes the rest: deliveries queued
 * under a storm (it is woken as they are recorded), and the recovery path — the process died between
 * insert and processing (also after the 2xx), or an attempt failed. It claims due rows (`FOR UPDATE
 * SKIP LOCKED`, so several instances share the work; one row per dedup key at a time, oldest first, so a
 * sender's order holds per key) and runs them through the same processor, 4 at a time (while the
 * intake is under pressure one at a time, at most ~16 a second, `UNDER_PRESSURE_PACE_MS`: the storm is
 * recorded and answered first, its oldest deliveries still processed meanwhile), until none is due,
 * then every second. While the database is away it keeps polling (logging the outage once) and
 * first records the failures the processor could not.
 */
@Injectable()
export class AlertIntakeWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlertIntakeWorker.name);
  private readonly poller: PollLoop;
  private unavailableBefore = false;

  constructor(
    private readonly intake: AlertIntakeRepository,
    private readonly processor: AlertIntakeProcessor,
  ) {
    this.poller = new PollLoop({ intervalMs: POLL_INTERVAL_MS, tick: () => this.round(), onError: (error) => this.reportFailedRound(error) });
    processor.whenQueued(() => this.poller.wake());
  }

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.poller.stop();
  }

  /** Processes every row that is due now (and those that become due as earlier rows of their keys finish). @returns how many rows were processed. */
  async drain(): Promise<number> {
    let processed = 0;
    for (;;) {
      const rows: AlertIntakeRow[] = await this.intake.claimDue(BATCH_SIZE, INTAKE_LEASE_MS);
      if (rows.length === 0) return processed;
      await this.processClaimed(rows);
      processed += rows.length;
      if (!this.poller.isRunning) return processed; // stopping: the rest stays due for the next start
    }
  }

  /** 4 at a time; under pressure one at a time, at most one per `UNDER_PRESSURE_PACE_MS`, until it passes. */
  private async processClaimed(rows: AlertIntakeRow[]): Promise<void> {
    for (let next = 0; next < rows.length; next++) {
      if (!this.processor.pressure.isHigh()) {
        await forEachConcurrently(rows.slice(next), CONCURRENCY, (row) => this.processor.process(row));
        return;
      }
      const started = Date.now();
      await this.processor.process(rows[next]);
      const rest = UNDER_PRESSURE_PACE_MS - (Date.now() - started);
      if (rest > 0) await setTimeout(rest);
    }
  }

  private async round(): Promise<void> {
    await this.processor.recordPendingFailures();
    await this.drain();
    if (this.unavailableBefore) this.logger.log('Alert intake worker reaches the database again');
    this.unavailableBefore = false;
  }

  private reportFailedRound(error: unknown): void {
    if (!isDatabaseUnavailable(error)) this.logger.error(`Alert intake worker failed: ${error instanceof Error ? error.stack : String(error)}`);
    else if (!this.unavailableBefore) this.logger.warn(`Alert intake worker: database unavailable (${error instanceof Error ? error.message : String(error)}); polling on`);
    this.unavailableBefore = isDatabaseUnavailable(error);
  }
}
