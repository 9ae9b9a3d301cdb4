import type { Pool, PoolClient } from 'pg';
import type { DeliveryTransition, UnsentTransition } from '../domain/delivery.transitions';
import { targetOriginOf, type DeliveryChannelType, type NotificationChannelType } from '../domain/notification-rule';
import type { RetryPolicy } from '../domain/retry-policy';
import { transitionAfterLeaseExpired } from '../domain/delivery.transitions';
import type { NotificationSecretBox } from '../secrets/notification-secret-box';
import type { AttemptReport } from './http.sender';

/**
 * The columns a dead-lettered delivery gets when a manual or bulk retry starts a new round: due now,
 * attempts counted afresh (`attempt_count` keeps the lifetime total), a fresh retry window.
 */
export const START_NEW_ROUND_SQL = `status = 'pending', next_attempt_at = now(), round_start_attempt = attempt_count, round_started_at = NULL,
  dead_lettered_at = NULL, lease_expires_at = NULL, updated_at = now()`;

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

/**
 * A status-page subscriber's delivery, rendered by its reactor (or a confirmation email). `target` is
 * the webhook URL or `mailto:<address>`; `targetOrigin` the circuit breaker key (the URL's origin, or
 * the SMTP server's for email).
 */
export interface NewSubscriberDelivery {
  id: string;
  subscriberId: string;
  statusPageId: string;
  eventId: string;
  eventType: string;
  incidentId: string | null;
  channelType: 'webhook' | 'email';
  target: string;
  targetOrigin: string;
  payload: string;
}

/** A delivery a worker has leased for one attempt. */
export interface ClaimedDelivery {
  id: string;
  channelType: DeliveryChannelType;
  /** The URL to post to, or `mailto:<address>` for an email. */
  targetUrl: string;
  /** `targetOriginOf(targetUrl)`: the circuit breaker's key (the SMTP server's origin for email). */
  targetOrigin: string;
  /** The body, opened (a subscriber's is sealed at rest). */
  payload: string;
  /** The rule's or subscriber's current signing secret (webhooks), read at claim time. */
  secret: string | null;
  /** The status-page subscriber it is for, else null (a rule's). */
  subscriberId: string | null;
  /** True when that subscriber has unsubscribed since: the delivery is dropped unsent. */
  subscriberGone: boolean;
  /**
   * Why the delivery's URL or its rule's secret could not be decrypted (sealed with a key that is not
   * configured, or damaged), else null. The worker dead-letters such a delivery without sending it.
   */
  unreadable: string | null;
  /** 1-based number of this attempt over the delivery's life (`delivery_attempts.attempt_no`). */
  attemptNo: number;
  /** 1-based number of this attempt within the current round (since creation or manual retry). */
  attemptInRound: number;
  /** Milliseconds from the round's first attempt to this claim (0 for the first), database clock. */
  elapsedInRoundMs: number;
}

/**
 * Queues deliveries in the caller's transaction (the reactor's inbox transaction). The unique
 * `(rule_id, event_id)` makes a repeat a no-op even if the inbox were bypassed. The target URL is
 * stored sealed (`deliveries.target_url`), its origin (no credentials, no path) in the clear for the
 * circuit breakers.
 * @returns how many rows were inserted.
 */
export async function insertDeliveries(
  tx: PoolClient,
  deliveries: readonly NewDelivery[],
  secrets: NotificationSecretBox,
): Promise<number> {
  let inserted = 0;
  for (const d of deliveries) {
    const result = await tx.query(
      `INSERT INTO deliveries (id, rule_id, event_id, event_type, incident_id, channel_type, target_url, target_origin, payload, status, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', now())
       ON CONFLICT (rule_id, event_id) DO NOTHING`,
      [
        d.id,
        d.ruleId,
        d.eventId,
        d.eventType,
        d.incidentId,
        d.channelType,
        secrets.sealDeliveryTargetUrl(d.id, d.targetUrl),
        targetOriginOf(d.targetUrl),
        d.payload,
      ],
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

/**
 * Queues status-page subscribers' deliveries in the caller's transaction. Target and payload are
 * sealed (the payload carries the subscriber's unsubscribe link). The unique `(subscriber_id, event_id)`
 * makes a repeat a no-op. @returns how many rows were inserted.
 */
export async function insertSubscriberDeliveries(
  tx: PoolClient,
  deliveries: readonly NewSubscriberDelivery[],
  secrets: NotificationSecretBox,
): Promise<number> {
  let inserted = 0;
  for (const d of deliveries) {
    const result = await tx.query(
      `INSERT INTO deliveries (id, subscriber_id, status_page_id, event_id, event_type, incident_id, channel_type, target_url, target_origin, payload, status, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', now())
       ON CONFLICT (subscriber_id, event_id) WHERE subscriber_id IS NOT NULL DO NOTHING`,
      [
        d.id,
        d.subscriberId,
        d.statusPageId,
        d.eventId,
        d.eventType,
        d.incidentId,
        d.channelType,
        secrets.sealDeliveryTargetUrl(d.id, d.target),
        d.targetOrigin,
        secrets.sealDeliveryPayload(d.id, d.payload),
      ],
    );
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

interface ClaimedRow {
  id: string;
  rule_id: string | null;
  subscriber_id: string | null;
  channel_type: DeliveryChannelType;
  target_url: string;
  target_origin: string;
  payload: string;
  attempt_count: number;
  round_start_attempt: number;
  elapsed_ms: number;
  rule_secret: string | null;
  subscriber_secret: string | null;
  subscriber_status: string | null;
}

/** Dead-lettered notifications in a row that quarantine a subscriber, unless configured. */
export const DEFAULT_QUARANTINE_AFTER = 3;

/**
 * The subscriber bookkeeping of a delivery that was dead-lettered, as one statement: an active
 * subscriber's `consecutive_dead_letters` grows by one and, once it reaches the threshold, the
 * subscriber is quarantined (like Statuspage's quarantine of subscribers whose deliveries keep failing)
 * with the last error as the reason. Pending subscribers (a confirmation email) are not counted.
 */
const DEAD_LETTER_COUNTS_SQL = (subscriberId: string, threshold: string, lastError: string) => `
  UPDATE status_page_subscribers s
     SET consecutive_dead_letters = s.consecutive_dead_letters + 1,
         quarantined_at = CASE WHEN s.quarantined_at IS NULL AND s.consecutive_dead_letters + 1 >= ${threshold}::int THEN now() ELSE s.quarantined_at END,
         quarantine_reason = CASE WHEN s.quarantined_at IS NULL AND s.consecutive_dead_letters + 1 >= ${threshold}::int
                                  THEN (s.consecutive_dead_letters + 1) || ' notifications in a row dead-lettered; the last: ' || ${lastError}::text
                                  ELSE s.quarantine_reason END,
         updated_at = now()
   WHERE s.id = ${subscriberId} AND s.status = 'active'`;

/** Most deliveries one `postponeTarget` moves. */
const POSTPONE_BATCH = 1_000;

/** Milliseconds since the round's first attempt, on the database clock (0 before it). */
const ELAPSED_IN_ROUND_MS = `(extract(epoch FROM now() - coalesce(round_started_at, now())) * 1000)::float8`;

/**
 * `DeliveryQueue.claimDue`'s statement (`$1` limit, `$2` lease ms). Each "is an older delivery of this
 * subscriber (of this rule and incident) unfinished?" sits inside an `OR`, so PostgreSQL cannot turn it
 * into an anti join: it stays a subquery run per due row looked at, one probe of
 * `deliveries_unfinished_subscriber_idx` / `deliveries_unfinished_rule_incident_idx`, whatever the
 * planner's statistics say (a spec holds it to a few buffers per row over a backlog queued after the
 * last ANALYZE). The alert intake's claim, where the same question stood alone, was planned as a
 * nested loop over the whole backlog for each row (`OrderQueuedAlertIntakeByKey1732000003800`).
 */
export const CLAIM_DUE_SQL = `WITH due AS (
         SELECT id FROM deliveries q
          WHERE status IN ('pending', 'retrying') AND next_attempt_at <= now()
            AND (q.subscriber_id IS NULL OR NOT EXISTS (
                  SELECT 1 FROM deliveries e
                   WHERE e.subscriber_id = q.subscriber_id AND e.seq < q.seq AND e.status IN ('pending', 'retrying', 'sending')))
            AND (q.rule_id IS NULL OR q.incident_id IS NULL OR NOT EXISTS (
                  SELECT 1 FROM deliveries e
                   WHERE e.rule_id = q.rule_id AND e.incident_id = q.incident_id AND e.seq < q.seq AND e.status IN ('pending', 'retrying', 'sending')))
          ORDER BY next_attempt_at, seq
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE deliveries d
          SET status = 'sending',
              attempt_count = d.attempt_count + 1,
              round_started_at = coalesce(d.round_started_at, now()),
              lease_expires_at = now() + make_interval(secs => $2::double precision / 1000),
              updated_at = now()
         FROM due
        WHERE d.id = due.id
       RETURNING d.id, d.rule_id, d.subscriber_id, d.channel_type, d.target_url, d.target_origin, d.payload, d.attempt_count, d.round_start_attempt,
                 ${ELAPSED_IN_ROUND_MS} AS elapsed_ms,
                 (SELECT r.webhook_secret FROM notification_rules r WHERE r.id = d.rule_id) AS rule_secret,
                 (SELECT s.webhook_secret FROM status_page_subscribers s WHERE s.id = d.subscriber_id) AS subscriber_secret,
                 (SELECT s.status FROM status_page_subscribers s WHERE s.id = d.subscriber_id) AS subscriber_status`;

/**
 * The delivery queue in PostgreSQL. Workers (any number, in any process) claim due rows with
 * `FOR UPDATE SKIP LOCKED`, so each due delivery goes to one worker; the claim moves it to `sending`
 * with a lease, and a lease that runs out (crashed worker) is swept back into the queue. All times
 * come from the database clock.
 */
export class DeliveryQueue {
  /**
   * @param quarantineAfter dead-lettered notifications in a row after which an active status-page
   * subscriber is quarantined (no new deliveries until an operator lifts it).
   */
  constructor(
    private readonly pool: Pool,
    private readonly secrets: NotificationSecretBox,
    private readonly quarantineAfter: number = DEFAULT_QUARANTINE_AFTER,
  ) {}

  /**
   * Leases up to `limit` due deliveries for `leaseMs` and counts the attempt; the first claim of a
   * round starts its retry window.
   *
   * In order: a delivery is handed out only when no older one (by `seq`) of the same status-page
   * subscriber, or of the same rule and incident, is unfinished (`pending`, `retrying`, `sending`).
   * So a receiver never gets an incident's "resolved" before its "declared", even with many workers;
   * a delivery that is retrying holds the ones behind it until it is delivered or dead-lettered.
   * Different incidents, rules and subscribers go out in parallel.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const { rows } = await this.pool.query<ClaimedRow>(CLAIM_DUE_SQL, [limit, leaseMs]);
    return rows.map((row) => {
      let opened: Pick<ClaimedDelivery, 'targetUrl' | 'secret' | 'payload' | 'unreadable'>;
      try {
        opened = {
          targetUrl: this.secrets.openDeliveryTargetUrl(row.id, row.target_url),
          secret: this.secretOf(row),
          payload: this.secrets.openDeliveryPayload(row.id, row.payload),
          unreadable: null,
        };
      } catch (error) {
        const owner = row.subscriber_id === null ? "its rule's secret" : "its subscriber's secret or its body";
        opened = {
          targetUrl: '',
          secret: null,
          payload: '',
          unreadable: `cannot decrypt the delivery's URL or ${owner}: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      return {
        id: row.id,
        channelType: row.channel_type,
        ...opened,
        subscriberId: row.subscriber_id,
        subscriberGone: row.subscriber_status === 'unsubscribed',
        targetOrigin: row.target_origin,
        attemptNo: row.attempt_count,
        attemptInRound: row.attempt_count - row.round_start_attempt,
        elapsedInRoundMs: Math.round(row.elapsed_ms),
      };
    });
  }

  private secretOf(row: ClaimedRow): string | null {
    if (row.rule_id !== null) return row.rule_secret === null ? null : this.secrets.openRuleSecret(row.rule_id, row.rule_secret);
    if (row.subscriber_id !== null && row.subscriber_secret !== null)
      return this.secrets.openSubscriberValue('webhook_secret', row.subscriber_id, row.subscriber_secret);
    return null;
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
        `INSERT INTO delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, http_status, error, response_excerpt, smtp_reply_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (delivery_id, attempt_no) DO NOTHING`,
        [
          claimed.id,
          claimed.attemptNo,
          report.startedAt,
          report.durationMs,
          outcome.kind === 'response' ? outcome.httpStatus : null,
          transition.status === 'delivered' ? null : transition.lastError,
          report.responseExcerpt,
          outcome.kind === 'smtp_reply' ? outcome.code : null,
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
      const { rows } = await client.query<{ id: string; attempt_count: number; round_start_attempt: number; elapsed_ms: number }>(
        `SELECT id, attempt_count, round_start_attempt, ${ELAPSED_IN_ROUND_MS} AS elapsed_ms FROM deliveries
          WHERE status = 'sending' AND lease_expires_at <= now() AND NOT (id = ANY($2::uuid[]))
          ORDER BY lease_expires_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [limit, heldIds],
      );
      for (const row of rows) {
        const transition = transitionAfterLeaseExpired(
          { attemptInRound: row.attempt_count - row.round_start_attempt, elapsedMs: row.elapsed_ms },
          policy,
        );
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

  /**
   * Puts back a claimed delivery that was not sent (its target's circuit is open): the claim's
   * attempt is uncounted and the delivery is queued again (`pending` if its round has made no attempt
   * yet) or dead-lettered, as `transition` says. Only while this worker still holds it.
   * @returns false when the lease had been lost.
   */
  async releaseUnsent(claimed: ClaimedDelivery, transition: UnsentTransition): Promise<boolean> {
    const guard = `WHERE id = $1 AND status = 'sending' AND attempt_count = $2`;
    if (transition.status === 'queued') {
      const result = await this.pool.query(
        `UPDATE deliveries
            SET status = CASE WHEN attempt_count - 1 > round_start_attempt THEN 'retrying' ELSE 'pending' END,
                attempt_count = attempt_count - 1, lease_expires_at = NULL, last_error = $3,
                next_attempt_at = now() + make_interval(secs => $4::double precision / 1000), updated_at = now()
          ${guard}`,
        [claimed.id, claimed.attemptNo, transition.lastError, transition.delayMs],
      );
      return (result.rowCount ?? 0) === 1;
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await client.query<{ subscriber_id: string | null }>(
        `UPDATE deliveries
            SET status = 'dead_lettered', attempt_count = attempt_count - 1, lease_expires_at = NULL, last_error = $3,
                dead_lettered_at = now(), updated_at = now()
          ${guard}
          RETURNING subscriber_id`,
        [claimed.id, claimed.attemptNo, transition.lastError],
      );
      const subscriberId = result.rows[0]?.subscriber_id;
      if (subscriberId)
        await client.query(DEAD_LETTER_COUNTS_SQL('$1', '$2', '$3'), [subscriberId, this.quarantineAfter, transition.lastError]);
      await client.query('COMMIT');
      return (result.rowCount ?? 0) === 1;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Drops a claimed delivery without sending it and without counting its attempt: its subscriber has
   * unsubscribed since it was queued (a message to someone who unsubscribed must not go out). It ends
   * dead-lettered with `reason`, which does not count towards the subscriber's quarantine.
   * @returns false when the lease had been lost.
   */
  async dropUnsent(claimed: ClaimedDelivery, reason: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE deliveries
          SET status = 'dead_lettered', attempt_count = attempt_count - 1, lease_expires_at = NULL, last_error = $3,
              dead_lettered_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'sending' AND attempt_count = $2`,
      [claimed.id, claimed.attemptNo, reason],
    );
    return (result.rowCount ?? 0) === 1;
  }

  /**
   * Holds back every queued delivery to `targetOrigin` that is due within `delayMs`, until then: what an
   * open circuit does to the rest of its target's queue, so that they take no worker slot and no
   * attempt before the breaker's probe. Their `last_error` says why; a round not yet begun starts its
   * retry window now, so a delivery that is never probed still ends. Rows another transaction holds are
   * skipped (no waiting, no deadlock between workers). At most `POSTPONE_BATCH` rows, the soonest due,
   * per call, so that one statement stays small; a later one claimed meanwhile is put back and
   * postpones the next batch. @returns how many were postponed.
   */
  async postponeTarget(targetOrigin: string, delayMs: number, reason: string): Promise<number> {
    const result = await this.pool.query(
      `WITH held AS (
         SELECT id FROM deliveries
          WHERE target_origin = $1 AND status IN ('pending', 'retrying')
            AND next_attempt_at < now() + make_interval(secs => $2::double precision / 1000)
          ORDER BY next_attempt_at
          LIMIT $4
          FOR UPDATE SKIP LOCKED
       )
       UPDATE deliveries d
          SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
              round_started_at = coalesce(d.round_started_at, now()), last_error = $3, updated_at = now()
         FROM held
        WHERE d.id = held.id`,
      [targetOrigin, delayMs, reason, POSTPONE_BATCH],
    );
    return result.rowCount ?? 0;
  }

  private async applyTransition(client: PoolClient, id: string, transition: DeliveryTransition, attemptNo: number): Promise<boolean> {
    const guard = `WHERE id = $1 AND status = 'sending' AND attempt_count = $2`;
    let result: { rowCount: number | null; rows: { subscriber_id?: string | null }[] };
    switch (transition.status) {
      case 'delivered':
        result = await client.query(
          `UPDATE deliveries SET status = 'delivered', lease_expires_at = NULL, last_error = NULL, delivered_at = now(), updated_at = now() ${guard}
           RETURNING subscriber_id`,
          [id, attemptNo],
        );
        if (result.rows[0]?.subscriber_id) {
          await client.query(
            `UPDATE status_page_subscribers SET consecutive_dead_letters = 0, updated_at = now() WHERE id = $1 AND consecutive_dead_letters <> 0`,
            [result.rows[0].subscriber_id],
          );
        }
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
          `UPDATE deliveries SET status = 'dead_lettered', lease_expires_at = NULL, last_error = $3, dead_lettered_at = now(), updated_at = now() ${guard}
           RETURNING subscriber_id`,
          [id, attemptNo, transition.lastError],
        );
        if (result.rows[0]?.subscriber_id)
          await client.query(DEAD_LETTER_COUNTS_SQL('$1', '$2', '$3'), [
            result.rows[0].subscriber_id,
            this.quarantineAfter,
            transition.lastError,
          ]);
        break;
      default: {
        const exhaustive: never = transition;
        return exhaustive;
      }
    }
    return (result.rowCount ?? 0) === 1;
  }
}
