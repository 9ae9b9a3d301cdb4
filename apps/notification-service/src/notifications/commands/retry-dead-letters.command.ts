import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { START_NEW_ROUND_SQL } from '../channels/delivery-queue';
import { NOTIFICATION_PG_POOL } from '../notification.tokens';
import { notificationRuleNotFound } from '../projections/get-notification-rule.query';

/** What one bulk retry did. */
export interface DeadLetterRetryResult {
  ruleId: string;
  /** How many dead-lettered deliveries this call re-queued (at most its limit). */
  requeued: number;
  /** Their ids, oldest delivery first: each keeps its id (`Fireline-Delivery-Id`) in its new round. */
  deliveryIds: string[];
  /** Dead-lettered deliveries of the rule still left after this call: call again while it is above 0. */
  remaining: number;
}

/**
 * Re-queues up to `limit` of a rule's dead-lettered deliveries, oldest first, each for a new round of
 * attempts and a fresh retry window, due now, under its own delivery id. Safe to repeat: a re-queued
 * delivery is no longer dead-lettered, so a second call re-queues only what has died since (or what the
 * first call's limit left). Concurrent calls skip each other's rows rather than wait.
 * @throws NotFoundError `NOTIFICATION_RULE.NOT_FOUND` for an unknown or deleted rule.
 */
export class RetryDeadLetters extends Command<DeadLetterRetryResult> {
  constructor(
    readonly ruleId: string,
    readonly limit: number,
  ) {
    super();
  }
}

/** Bulk retry of one rule's dead letters, in one transaction. */
@CommandHandler(RetryDeadLetters)
export class RetryDeadLettersHandler implements ICommandHandler<RetryDeadLetters> {
  constructor(@Inject(NOTIFICATION_PG_POOL) private readonly pool: Pool) {}

  async execute({ ruleId, limit }: RetryDeadLetters): Promise<DeadLetterRetryResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const rule = await client.query(`SELECT 1 FROM notification_rules WHERE id = $1 AND deleted_at IS NULL`, [ruleId]);
      if (rule.rowCount === 0) throw notificationRuleNotFound(ruleId);
      const requeued = await client.query<{ id: string; seq: string }>(
        `WITH picked AS (
           SELECT id, seq FROM deliveries
            WHERE rule_id = $1 AND status = 'dead_lettered'
            ORDER BY seq
            LIMIT $2
            FOR UPDATE SKIP LOCKED
         )
         UPDATE deliveries d SET ${START_NEW_ROUND_SQL}
           FROM picked
          WHERE d.id = picked.id
         RETURNING d.id, picked.seq`,
        [ruleId, limit],
      );
      const left = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE rule_id = $1 AND status = 'dead_lettered'`, [ruleId]);
      await client.query('COMMIT');
      // seq is a bigint (a decimal string); RETURNING keeps no order.
      const ids = requeued.rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).map((row) => row.id);
      return { ruleId, requeued: ids.length, deliveryIds: ids, remaining: left.rows[0].n };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
