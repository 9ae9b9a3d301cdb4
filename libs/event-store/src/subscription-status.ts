import type { Pool } from 'pg';
import type { Checkpoint } from './event-store.types';
import { START_CHECKPOINT } from './event-store.types';

/** Where one subscription stands: its checkpoint and how many visible events lie after it. */
export interface SubscriptionStatus {
  name: string;
  checkpoint: Checkpoint;
  /** Events committed and visible to the gap-safe read but not yet handled (the lag, in events). */
  behind: number;
  /** When the checkpoint last moved; null before the first page. */
  updatedAt: Date | null;
}

/**
 * Reads the checkpoint of each named subscription and counts the events behind it with the same
 * visibility rule as the global read, so `behind` is what the subscription would see next.
 */
export async function subscriptionStatuses(pool: Pool, names: readonly string[]): Promise<SubscriptionStatus[]> {
  const { rows } = await pool.query<{ name: string; transaction_id: string | null; global_position: string | null; updated_at: Date | null; behind: string }>(
    `SELECT n.name, c.transaction_id::text AS transaction_id, c.global_position::text AS global_position, c.updated_at,
            (SELECT count(*) FROM events e
              WHERE (e.transaction_id, e.global_position) > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.global_position, 0))
                AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot()))::text AS behind
       FROM unnest($1::text[]) AS n(name)
       LEFT JOIN subscription_checkpoints c ON c.name = n.name`,
    [names],
  );
  return rows.map((row) => ({
    name: row.name,
    checkpoint: row.transaction_id === null ? { ...START_CHECKPOINT } : { transactionId: row.transaction_id, globalPosition: row.global_position ?? '0' },
    behind: Number(row.behind),
    updatedAt: row.updated_at,
  }));
}
