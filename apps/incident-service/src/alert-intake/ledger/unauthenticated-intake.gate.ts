import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DEFAULT_UNAUTHENTICATED_INTAKE, type IncidentServiceConfig } from '../../config/incident-service.config';
import { INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { INCIDENT_SERVICE_CONFIG } from '../../incident-service.subscriptions';

/** One window of an integration's unauthenticated deliveries. */
export interface UnauthenticatedWindow {
  windowStart: Date;
  windowEnd: Date;
  /** Deliveries that failed authentication in the window. */
  received: number;
  /** How many of them have a ledger row (at most the per-window cap). */
  stored: number;
  /** How many were only counted. */
  notStored: number;
  lastReceivedAt: Date;
}

/** How long counter rows are kept. */
const COUNTER_RETENTION_DAYS = 30;

/**
 * Caps what deliveries that fail authentication (bad bearer token, bad signature) may write: per
 * integration and fixed window of `windowMs` (database clock), the first `maxStoredPerWindow` are
 * recorded in the ledger so that an operator can see what a misconfigured sender sends; the rest only
 * increment the window's counter row. One upsert per delivery, so concurrent deliveries (any number of
 * instances) are counted exactly; a flood costs one row per integration per window.
 */
@Injectable()
export class UnauthenticatedIntakeGate {
  private readonly maxStoredPerWindow: number;
  private readonly windowMs: number;

  constructor(
    @Inject(INCIDENT_PG_POOL) private readonly pool: Pool,
    @Inject(INCIDENT_SERVICE_CONFIG) config: IncidentServiceConfig,
  ) {
    ({ maxStoredPerWindow: this.maxStoredPerWindow, windowMs: this.windowMs } = config.unauthenticatedDeliveries ?? DEFAULT_UNAUTHENTICATED_INTAKE);
  }

  /** Counts one unauthenticated delivery. @returns whether it may have a ledger row. */
  async admit(integrationId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ received: number }>(
      `INSERT INTO alert_intake_unauthenticated AS u (integration_id, window_start, received, last_received_at)
       VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) * 1000 / $2) * $2 / 1000), 1, now())
       ON CONFLICT (integration_id, window_start) DO UPDATE SET received = u.received + 1, last_received_at = now()
       RETURNING received`,
      [integrationId, this.windowMs],
    );
    const received = rows[0].received;
    if (received === 1) {
      // A new window: drop this integration's counters older than the retention.
      await this.pool.query(
        `DELETE FROM alert_intake_unauthenticated WHERE integration_id = $1 AND window_start < now() - make_interval(days => ${COUNTER_RETENTION_DAYS})`,
        [integrationId],
      );
    }
    return received <= this.maxStoredPerWindow;
  }

  /** The integration's windows with unauthenticated deliveries, newest first, at most `limit`. */
  async windows(integrationId: string, limit = 24): Promise<UnauthenticatedWindow[]> {
    const { rows } = await this.pool.query<{ window_start: Date; received: number; last_received_at: Date }>(
      `SELECT window_start, received, last_received_at FROM alert_intake_unauthenticated WHERE integration_id = $1 ORDER BY window_start DESC LIMIT $2`,
      [integrationId, limit],
    );
    return rows.map((row) => {
      const stored = Math.min(row.received, this.maxStoredPerWindow);
      return {
        windowStart: row.window_start,
        windowEnd: new Date(row.window_start.getTime() + this.windowMs),
        received: row.received,
        stored,
        notStored: row.received - stored,
        lastReceivedAt: row.last_received_at,
      };
    });
  }
}
