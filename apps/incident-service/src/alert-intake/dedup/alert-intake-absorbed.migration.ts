import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Absorbed triggers are counted after the fact instead of in the request (issue 11, point 7): a
 * duplicate trigger no longer updates the one `alert_dedup` row of its alert (under a storm every
 * request queued on that row's lock, one commit flush at a time). The ledger row records which
 * incarnation it was absorbed into (`absorbed_stream_id`, `absorbed_incarnation`) and
 * `dedup_counted = false` until `AlertDedupCounterWorker` folds it into `alert_dedup.trigger_count` /
 * `last_seen_at` (NULL: nothing to count). `alert_intake_queued_key_idx` answers "is a delivery of this
 * dedup key still waiting?", which keeps a sender's order when a trigger is absorbed at intake (replaced
 * by `alert_intake_queued_key_order_idx`, `OrderQueuedAlertIntakeByKey1732000003800`).
 */
export class AddAbsorbedTriggers1732000003500 implements MigrationInterface {
  name = 'AddAbsorbedTriggers1732000003500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE alert_intake
        ADD COLUMN absorbed_stream_id text,
        ADD COLUMN absorbed_incarnation integer,
        ADD COLUMN dedup_counted boolean`);
    await queryRunner.query('CREATE INDEX alert_intake_uncounted_idx ON alert_intake (absorbed_stream_id) WHERE dedup_counted = false');
    await queryRunner.query('CREATE INDEX alert_intake_queued_key_idx ON alert_intake (integration_id, dedup_key) WHERE processed_at IS NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX alert_intake_queued_key_idx');
    await queryRunner.query('DROP INDEX alert_intake_uncounted_idx');
    await queryRunner.query('ALTER TABLE alert_intake DROP COLUMN dedup_counted, DROP COLUMN absorbed_incarnation, DROP COLUMN absorbed_stream_id');
  }
}
