import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@fireline/errors';
import { exponentialBackoffMs } from '@fireline/event-store/backoff';
import { PollLoop } from '@fireline/event-store/poll-loop';
import type { Pool } from 'pg';
import { DEFAULT_STATUS_PAGES_CONFIG, type IncidentServiceConfig } from '../../config/incident-service.config';
import { INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG } from '../../incident-service.subscriptions';
import { ExecuteStatusPageCommand } from '../application/execute-status-page.command';
import type { AdvanceMaintenance } from '../domain/status-page.commands';

/** The actor of timer commands. */
export const MAINTENANCE_TIMER_ACTOR = 'system:status-page-timers';
const BATCH_SIZE = 20;
/** Backoff after a failed fire (database or store trouble), ms; doubles per attempt up to 1 min. */
const RETRY_BASE_MS = 1_000;

interface DueTimer {
  page_id: string;
  maintenance_id: string;
  kind: 'start' | 'complete';
  due_at: Date;
  attempts: number;
}

/**
 * Fires due maintenance timers (`status_page_timers`, kept by the timers projection): at
 * `scheduled_for` the start, at `scheduled_until` the completion. Durable (the table survives restarts;
 * a timer due while the service was down fires at the next poll) and exactly-once in effect:
 * - rows are claimed `FOR UPDATE SKIP LOCKED` in a transaction held while the command runs, so two
 *   instances never fire the same timer at once;
 * - the command's id derives from the timer (`timer:<kind>:<page>:<maintenance>:<due>`), so a re-fire
 *   after a crash between the command and `fired_at` appends nothing (`handleCommand` finds its events);
 * - the decider ignores an automatic move that no longer applies (a human started or completed it).
 * A `DomainError` marks the timer fired with its code as outcome; other errors retry with backoff.
 */
@Injectable()
export class MaintenanceTimerWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MaintenanceTimerWorker.name);
  private readonly poller: PollLoop;

  constructor(
    @Inject(INCIDENT_PG_POOL) private readonly pool: Pool,
    private readonly commands: CommandBus,
    @Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig,
  ) {
    this.poller = new PollLoop({
      intervalMs: (config.statusPages ?? DEFAULT_STATUS_PAGES_CONFIG).timerPollIntervalMs,
      tick: () => this.fireDue(),
      onError: (error) => this.logger.error(`Maintenance timers failed: ${error instanceof Error ? error.stack : String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.poller.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.poller.stop();
  }

  /** Fires every timer due now. @returns how many were claimed. */
  async fireDue(): Promise<number> {
    let claimed = 0;
    for (;;) {
      const count = await this.fireBatch();
      claimed += count;
      if (count < BATCH_SIZE || !this.poller.isRunning) return claimed;
    }
  }

  private async fireBatch(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const due = await client.query<DueTimer>(
        `SELECT page_id, maintenance_id, kind, due_at, attempts FROM status_page_timers
         WHERE fired_at IS NULL AND due_at <= now() AND (next_attempt_at IS NULL OR next_attempt_at <= now())
         ORDER BY due_at LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED`,
      );
      for (const timer of due.rows) {
        const key = [timer.page_id, timer.maintenance_id, timer.kind];
        try {
          await this.commands.execute(new ExecuteStatusPageCommand(timerCommand(timer)));
          await client.query(`UPDATE status_page_timers SET fired_at = now(), outcome = 'fired', attempts = attempts + 1 WHERE page_id = $1 AND maintenance_id = $2 AND kind = $3`, key);
        } catch (error: unknown) {
          if (error instanceof DomainError && error.kind !== 'concurrency') {
            await client.query('UPDATE status_page_timers SET fired_at = now(), outcome = $4, attempts = attempts + 1 WHERE page_id = $1 AND maintenance_id = $2 AND kind = $3', [...key, error.code]);
            continue;
          }
          const delayMs = exponentialBackoffMs(timer.attempts + 1, { initialMs: RETRY_BASE_MS, maxMs: 60_000 });
          this.logger.warn(`Maintenance timer ${key.join('/')} failed (retry in ${delayMs} ms): ${error instanceof Error ? error.message : String(error)}`);
          await client.query(
            `UPDATE status_page_timers SET attempts = attempts + 1, last_error = $4, next_attempt_at = now() + make_interval(secs => $5::double precision / 1000)
             WHERE page_id = $1 AND maintenance_id = $2 AND kind = $3`,
            [...key, error instanceof Error ? error.message.slice(0, 1000) : String(error).slice(0, 1000), delayMs],
          );
        }
      }
      await client.query('COMMIT');
      client.release();
      return due.rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw error;
    }
  }
}

/** The command a timer issues; its id is derived from the timer, so every fire of it is the same command. */
export function timerCommand(timer: Pick<DueTimer, 'page_id' | 'maintenance_id' | 'kind' | 'due_at'>): AdvanceMaintenance {
  return {
    type: 'AdvanceMaintenance',
    data: { pageId: timer.page_id, maintenanceId: timer.maintenance_id, status: timer.kind === 'start' ? 'in_progress' : 'completed', automatic: true },
    metadata: {
      now: new Date(),
      actor: MAINTENANCE_TIMER_ACTOR,
      correlationId: `timer:${timer.kind}:${timer.page_id}:${timer.maintenance_id}`,
      commandId: `timer:${timer.kind}:${timer.page_id}:${timer.maintenance_id}:${timer.due_at.toISOString()}`,
    },
  };
}
