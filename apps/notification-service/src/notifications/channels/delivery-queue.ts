import type { Pool, PoolClient } from 'pg';
import type { DeliveryTransition } from '../domain/delivery.transitions';
import type { NotificationChannelType } from '../domain/notification-rule';
import type { RetryPolicy } from '../domain/retry-policy';
import { transitionAfterLeaseExpired } from '../domain/delivery.transitions';
import type { AttemptReport } from './http.sender';

/** A delivery to queue, rendered by the reactor. */
export interface NewDelivery {
  id: string;
  ruleId: string;
  eventId: string;
  eventType: string;
  incidentId: string;
  channelType: NotificationChannelType;
  targetUrl: string;
  payload: string;
}

/** A delivery a worker has leased for one attempt. */
export interface ClaimedDelivery {
  id: string;
  channelType: NotificationChannelType;
  targetUrl: string;
  payload: string;
  /** The rule's current signing secret (webhooks), read at claim time. */
  secret: string | null;
  /** 1-based number of this attempt over the delivery's life (`delivery_attempts.attempt_no`). */
  attemptNo: number;
  /** 1-based number of this attempt within the current round (since creation or manual retry). */
  attemptInRound: number;
}

/**
 * Queues deliveries in the caller's transaction (the reactor's inbox transaction). The unique
 * `(rule_id, event_id)` makes a repeat a no-op even if the inbox were bypassed.
 * @returns how many rows were inserted.
 */
export async function insertDeliveries(tx: PoolClient, deliveries: readonly NewDelivery[]): Promise<number> {
  let inserted = 0;
  for (const d of deliveries) {
    const result = await tx.query(
      `INSERT INTO deliveries (id, rule_id, event_id, event_type, incident_id, channel_type, target_url, payload, status, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', now())
       ON CONFLICT (rule_id, event_id) DO NOTHING`,
      [d.id, d.ruleId, d.eventId, d.eventType, d.incidentId, d.channelType, d.targetUrl, d.payload],
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

interface ClaimedRow {
  id: string;
  channel_type: NotificationChannelType;
  target_url: string;
  payload: string;
  attempt_count: number;
  round_start_attempt: number;
  secret: string | null;
}

/**
 * The delivery queue in PostgreSQL. Workers (any number, in any process) claim due rows with
 * `FOR UPDATE SKIP LOCKED`, so each due delivery goes to one worker; the claim moves it to `sending`
 * with a lease, and a lease that runs out (crashed worker) is swept back into the queue. All times
 * come from the database clock.
 */
export class DeliveryQueue {
  constructor(private readonly pool: Pool) {}

  /**
   * Leases up to `limit` due deliveries for `leaseMs` and counts the attempt.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const { rows } = await this.pool.query<ClaimedRow>(
      `WITH due AS (
         SELECT id FROM deliveries
          WHERE status IN ('pending', 'retrying') AND next_attempt_at <= now()
          ORDER BY next_attempt_at, seq
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE deliveries d
          SET status = 'sending',
              attempt_count = d.attempt_count + 1,
              lease_expires_at = now() + make_interval(secs => $2::double precision / 1000),
              updated_at = now()
         FROM due
        WHERE d.id = due.id
       RETURNING d.id, d.channel_type, d.target_url, d.payload, d.attempt_count, d.round_start_attempt,
                 (SELECT r.webhook_secret FROM notification_rules r WHERE r.id = d.rule_id) AS secret`,
      [limit, leaseMs],
    );
    return rows.map((row) => ({
      id: row.id,
      channelType: row.channel_type,
      targetUrl: row.target_url,
      payload: row.payload,
      secret: row.secret,
      attemptNo: row.attempt_count,
      attemptInRound: row.attempt_count - row.round_start_attempt,
    }));
  }

  /**
   * Writes the attempt row and applies `transition`, in one transaction. The delivery is updated only
   * while this worker still holds it (`sending` at this attempt number); a worker whose lease was
   * swept meanwhile still logs its attempt but leaves the state to the new holder.
   * @returns false when the lease had been lost.
   */
  async recordAttempt(claimed: ClaimedDelivery, report: AttemptReport, transition: DeliveryTransition): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const outcome = report.outcome;
      await client.query(
        `INSERT INTO delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, http_status, error, response_excerpt)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (delivery_id, attempt_no) DO NOTHING`,
        [
          claimed.id,
          claimed.attemptNo,
          report.startedAt,
          report.durationMs,
          outcome.kind === 'response' ? outcome.httpStatus : null,
          transition.status === 'delivered' ? null : transition.lastError,
          report.responseExcerpt,
        ],
      );
      const updated = await this.applyTransition(client, claimed.id, transition, claimed.attemptNo);
      await client.query('COMMIT');
      return updated;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Moves deliveries whose `sending` lease ran out back to `retrying` (or `dead_lettered` if that was
   * the round's last attempt), except `heldIds`: the caller's own attempts still being recorded (e.g.
   * waiting for the database to come back), which must not be sent a second time.
   * @returns how many were swept.
   */
  async sweepExpiredLeases(policy: RetryPolicy, limit: number, heldIds: readonly string[] = []): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; attempt_count: number; round_start_attempt: number }>(
        `SELECT id, attempt_count, round_start_attempt FROM deliveries
          WHERE status = 'sending' AND lease_expires_at <= now() AND NOT (id = ANY($2::uuid[]))
          ORDER BY lease_expires_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [limit, heldIds],
      );
      for (const row of rows) {
        const transition = transitionAfterLeaseExpired(row.attempt_count - row.round_start_attempt, policy);
        await this.applyTransition(client, row.id, transition, row.attempt_count);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async applyTransition(client: PoolClient, id: string, transition: DeliveryTransition, attemptNo: number): Promise<boolean> {
    const guard = `WHERE id = $1 AND status = 'sending' AND attempt_count = $2`;
    let result;
    switch (transition.status) {
      case 'delivered':
        result = await client.query(
          `UPDATE deliveries SET status = 'delivered', lease_expires_at = NULL, last_error = NULL, delivered_at = now(), updated_at = now() ${guard}`,
          [id, attemptNo],
        );
        break;
      case 'retrying':
        result = await client.query(
          `UPDATE deliveries SET status = 'retrying', lease_expires_at = NULL, last_error = $3,
                  next_attempt_at = now() + make_interval(secs => $4::double precision / 1000), updated_at = now() ${guard}`,
          [id, attemptNo, transition.lastError, transition.delayMs],
        );
        break;
      case 'dead_lettered':
        result = await client.query(
          `UPDATE deliveries SET status = 'dead_lettered', lease_expires_at = NULL, last_error = $3, dead_lettered_at = now(), updated_at = now() ${guard}`,
          [id, attemptNo, transition.lastError],
        );
        break;
      default: {
        const exhaustive: never = transition;
        return exhaustive;
      }
    }
    return (result.rowCount ?? 0) === 1;
  }
}
