import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The queued rows of a dedup key, indexed in the order they are processed
 * (`alert_intake_queued_key_order_idx`: integration, dedup key, then `received_at`, `id`, over
 * unprocessed rows only), replacing `alert_intake_queued_key_idx` (integration, dedup key).
 * `AlertIntakeRepository.claimDue` asks, per due row, for the first queued row of its key: with this
 * index that is the index's first entry for the key (an index-only probe), whatever the planner's
 * statistics say. Before, the claim asked "does an earlier queued row of the key exist?" as an anti
 * join, and with statistics taken while nothing was queued (any quiet hour before a storm; on a large
 * ledger a storm's backlog never reaches the 10% of rows that triggers a new ANALYZE) PostgreSQL ran
 * it as a nested loop over every queued row for every queued row: one claim over a backlog of 8,000
 * took 22 s (42 million buffer reads) and, from a larger backlog on, ran past `statement_timeout`, so
 * the worker processed nothing until the statistics changed.
 */
export class OrderQueuedAlertIntakeByKey1732000003800 implements MigrationInterface {
  name = 'OrderQueuedAlertIntakeByKey1732000003800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX alert_intake_queued_key_order_idx ON alert_intake (integration_id, dedup_key, received_at, id) WHERE processed_at IS NULL',
    );
    await queryRunner.query('DROP INDEX alert_intake_queued_key_idx');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX alert_intake_queued_key_idx ON alert_intake (integration_id, dedup_key) WHERE processed_at IS NULL',
    );
    await queryRunner.query('DROP INDEX alert_intake_queued_key_order_idx');
  }
}
