import { isDatabaseUnavailable } from '@fireline/event-store';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AlertIntakeRepository } from './alert-intake.repository';
import { AlertIntakeProcessor, INTAKE_LEASE_MS } from './alert-intake.processor';

const POLL_INTERVAL_MS = 1000;
const BATCH_SIZE = 20;

/**
 * The recovery path of the intake ledger. Deliveries are normally processed in the request that
 * records them (see `IngestEventsV2EventHandler`); this loop picks up the rows that were not: the
 * process died between insert and processing (also after the 2xx), or an attempt failed. It claims
 * rows whose lease ran out (`FOR UPDATE SKIP LOCKED`, so several instances share the work) and runs
 * them through the same processor, at start-up and then every second. While the database is away it
 * keeps polling (logging the outage once) and first records the failures the processor could not.
 */
@Injectable()
export class AlertIntakeWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlertIntakeWorker.name);
  private running = false;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly intake: AlertIntakeRepository,
    private readonly processor: AlertIntakeProcessor,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  /** Processes every row that is due now. @returns how many rows were processed. */
  async drain(): Promise<number> {
    let processed = 0;
    for (;;) {
      const rows = await this.intake.claimDue(BATCH_SIZE, INTAKE_LEASE_MS);
      for (const row of rows) {
        await this.processor.process(row);
        processed++;
      }
      if (rows.length < BATCH_SIZE || !this.running) return processed;
    }
  }

  private async run(): Promise<void> {
    let unavailableBefore = false;
    while (this.running) {
      try {
        await this.processor.recordPendingFailures();
        await this.drain();
        if (unavailableBefore) this.logger.log('Alert intake worker reaches the database again');
        unavailableBefore = false;
      } catch (error: unknown) {
        if (!isDatabaseUnavailable(error)) this.logger.error(`Alert intake worker failed: ${error instanceof Error ? error.stack : String(error)}`);
        else if (!unavailableBefore) this.logger.warn(`Alert intake worker: database unavailable (${error instanceof Error ? error.message : String(error)}); polling on`);
        unavailableBefore = isDatabaseUnavailable(error);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, POLL_INTERVAL_MS);
      });
    }
  }
}
