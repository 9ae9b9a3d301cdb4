import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DomainError } from '@fireline/errors';
import { PollLoop } from '@fireline/event-store/poll-loop';
import type { Pool } from 'pg';
import { DEFAULT_ALERT_INTAKE_CONFIG, type IncidentServiceConfig } from '../../config/incident-service.config';
import { INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG } from '../../incident-service.subscriptions';
import { ExecuteAlertCommand } from '../application/execute-alert.command';
import { integrationActor } from '../integrations/domain/integration';
import type { ResolveAlert } from '../domain/alert.commands';

const BATCH_SIZE = 100;

interface SilentAlert {
  stream_id: string;
  integration_id: string;
  dedup_key: string;
  fingerprint: string | null;
  last_seen_at: Date;
}

/** "12 h", "15 min", "45 s". */
function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/**
 * Resolves alerts that stopped being sent without a resolve (Alertmanager re-sends firing alerts every
 * `repeat_interval`; with `send_resolved: false`, or a group re-sent without one of its alerts, no
 * resolve ever comes): an open ungrouped alert whose last trigger (`alert_dedup.last_seen_at`, and no
 * absorbed trigger waiting to be counted into it), or a
 * firing group member whose last delivery (`alert_members.last_seen_at`), is older than
 * `ALERT_EXPIRE_AFTER_MS` gets a `ResolveAlert` marked `expired`; the workflows write why on the
 * incident. Durable and restart-safe: the state is in those tables, polled every
 * `expireAfterMs / 10` (at most 10 s), and the command id derives from the alert and its last-seen time
 * (`expire:<stream>:<fingerprint>:<last seen>`), so a second instance or a retry after a crash appends
 * nothing new. Off when `ALERT_EXPIRE_AFTER_MS` is 0.
 */
@Injectable()
export class ExpireSilentAlertsWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ExpireSilentAlertsWorker.name);
  private readonly expireAfterMs: number;
  private readonly poller: PollLoop;

  constructor(
    @Inject(INCIDENT_PG_POOL) private readonly pool: Pool,
    private readonly commands: CommandBus,
    @Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig,
  ) {
    this.expireAfterMs = (config.alertIntake ?? DEFAULT_ALERT_INTAKE_CONFIG).expireAfterMs;
    const pollMs = Math.max(50, Math.min(10_000, Math.floor(this.expireAfterMs / 10)));
    this.poller = new PollLoop({
      intervalMs: pollMs,
      tick: () => this.expireDue(),
      onError: (error) => this.logger.warn(`Alert expiry failed (retried in ${pollMs} ms): ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    if (this.expireAfterMs <= 0) return;
    this.poller.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.poller.stop();
  }

  /** Expires every alert silent for longer than the limit now. @returns how many were expired. */
  async expireDue(): Promise<number> {
    const silent = await this.pool.query<SilentAlert>(
      `SELECT d.stream_id, d.integration_id, d.dedup_key, NULL AS fingerprint, d.last_seen_at
         FROM alert_dedup d
        WHERE d.open AND d.last_seen_at < now() - make_interval(secs => $1::double precision / 1000)
          AND NOT EXISTS (SELECT 1 FROM alert_members m WHERE m.stream_id = d.stream_id)
          AND NOT EXISTS (SELECT 1 FROM alert_dedup_uncounted u WHERE u.stream_id = d.stream_id)
       UNION ALL
       SELECT d.stream_id, d.integration_id, d.dedup_key, m.fingerprint, m.last_seen_at
         FROM alert_members m JOIN alert_dedup d ON d.stream_id = m.stream_id
        WHERE d.open AND m.last_seen_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY last_seen_at
        LIMIT $2`,
      [this.expireAfterMs, BATCH_SIZE],
    );
    let expired = 0;
    for (const alert of silent.rows) {
      const command: ResolveAlert = {
        type: 'ResolveAlert',
        data: {
          integrationId: alert.integration_id,
          dedupKey: alert.dedup_key,
          ...(alert.fingerprint !== null ? { fingerprint: alert.fingerprint } : {}),
          summary: `not re-sent for ${duration(this.expireAfterMs)} (last at ${alert.last_seen_at.toISOString()}) and never resolved by the source`,
          expired: true,
        },
        metadata: {
          now: new Date(),
          actor: integrationActor(alert.integration_id),
          correlationId: `expire:${alert.stream_id}`,
          commandId: `expire:${alert.stream_id}:${alert.fingerprint ?? ''}:${alert.last_seen_at.toISOString()}`,
        },
      };
      try {
        await this.commands.execute(new ExecuteAlertCommand(command));
        if (alert.fingerprint !== null) {
          await this.pool.query('DELETE FROM alert_members WHERE stream_id = $1 AND fingerprint = $2 AND last_seen_at = $3', [alert.stream_id, alert.fingerprint, alert.last_seen_at]);
        }
        expired++;
      } catch (error: unknown) {
        if (error instanceof DomainError && error.kind !== 'concurrency') {
          this.logger.warn(`Expiring ${alert.stream_id} ${alert.fingerprint ?? ''} refused (${error.code})`);
          continue;
        }
        throw error;
      }
    }
    return expired;
  }
}
