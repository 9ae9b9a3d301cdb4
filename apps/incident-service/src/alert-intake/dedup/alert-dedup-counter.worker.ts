import { PollLoop } from '@fireline/event-store';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AlertDedupRepository } from './alert-dedup.repository';

/** How often absorbed triggers are folded into their alerts' counters, ms. */
export const DEDUP_COUNT_INTERVAL_MS = 1_000;
const BATCH_SIZE = 5_000;

/**
 * Folds absorbed duplicate triggers into `alert_dedup.trigger_count` / `last_seen_at`, every
 * `DEDUP_COUNT_INTERVAL_MS` (one statement per 5,000 rows; several instances split the rows). The
 * counter is behind by at most that interval; nothing is lost in a crash, since the absorbed triggers
 * wait in `alert_dedup_uncounted` (written with their ledger rows) until counted. Alert expiry does not
 * wait for it: an alert with an uncounted trigger there is not silent.
 */
@Injectable()
export class AlertDedupCounterWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlertDedupCounterWorker.name);
  private readonly poller: PollLoop;

  constructor(private readonly dedup: AlertDedupRepository) {
    this.poller = new PollLoop({
      intervalMs: DEDUP_COUNT_INTERVAL_MS,
      tick: () => this.countAll(),
      onError: (error) => this.logger.warn(`Counting absorbed triggers failed (retried in ${DEDUP_COUNT_INTERVAL_MS} ms): ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.poller.stop();
  }

  /** Counts every absorbed trigger recorded so far. @returns how many were counted. */
  async countAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const counted = await this.dedup.countAbsorbed(BATCH_SIZE);
      total += counted;
      if (counted < BATCH_SIZE) return total;
    }
  }
}
