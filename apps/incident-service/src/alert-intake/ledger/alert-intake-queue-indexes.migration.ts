import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's two queue indexes get predicates that only the queue's own statements imply, so that no
 * statement that names a row by its id can be planned through them:
 * - `alert_intake_pending_idx` (`next_attempt_at`) covers `WHERE next_attempt_at IS NOT NULL`, not
 *   `WHERE processed_at IS NULL`: the same rows, since a row's `next_attempt_at` is cleared when it is
 *   processed (and rows recorded processed have none; older rows are cleared here);
 * - `alert_intake_queued_key_order_idx` covers only rows with a dedup key (`AND dedup_key IS NOT NULL`):
 *   every probe of it names a key, and a row without one never waits.
 * Why: both indexes are empty whenever the queue is, which is when (auto)vacuum records their size. In
 * a storm the planner then believed them empty while they held thousands of rows, and chose them for
 * anything their predicate matched: `markProcessed`'s `WHERE id = $1 AND processed_at IS NULL` read the
 * whole pending index instead of one primary-key entry (3,700 buffers, ~16 ms per processed delivery
 * over the enqueue bench's backlog), so did the absorption's row lock and the intake's "anything but
 * triggers waiting for this key?" probe; and the worker's claim read the whole backlog through the
 * queued-key index and sorted it (79,000 buffers, 64 ms per claim) instead of walking the due rows in
 * order. Specs: `alert-intake.claim.int-spec.ts`.
 */
export class KeepAlertIntakeLookupsOffQueueIndexes1732000003900 implements MigrationInterface {
  name = 'KeepAlertIntakeLookupsOffQueueIndexes1732000003900';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('UPDATE alert_intake SET next_attempt_at = NULL WHERE processed_at IS NOT NULL AND next_attempt_at IS NOT NULL');
    await queryRunner.query('DROP INDEX alert_intake_pending_idx');
    await queryRunner.query('CREATE INDEX alert_intake_pending_idx ON alert_intake (next_attempt_at) WHERE next_attempt_at IS NOT NULL');
    await queryRunner.query('DROP INDEX alert_intake_queued_key_order_idx');
    await queryRunner.query(
      'CREATE INDEX alert_intake_queued_key_order_idx ON alert_intake (integration_id, dedup_key, received_at, id) WHERE processed_at IS NULL AND dedup_key IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX alert_intake_queued_key_order_idx');
    await queryRunner.query(
      'CREATE INDEX alert_intake_queued_key_order_idx ON alert_intake (integration_id, dedup_key, received_at, id) WHERE processed_at IS NULL',
    );
    await queryRunner.query('DROP INDEX alert_intake_pending_idx');
    await queryRunner.query('CREATE INDEX alert_intake_pending_idx ON alert_intake (next_attempt_at) WHERE processed_at IS NULL');
  }
}
