import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Absorbed triggers waiting to be counted move out of the ledger into a narrow table of their own
 * (issue 11, point 7: the enqueue benchmark). Until now the counter marked each absorbed ledger row
 * counted (`alert_intake.dedup_counted`): a second write of every ~4 KB duplicate row (a new row
 * version and its index entries), as much write work as the delivery itself. Now the intake statement
 * also inserts a ~100-byte row here, and `AlertDedupCounterWorker` deletes what it counts, so the
 * table holds about a second's worth of duplicates. No index: it is scanned whole by the counter, and by
 * alert expiry only through an anti-join.
 */
export class CountAbsorbedTriggersApart1732000003700 implements MigrationInterface {
  name = 'CountAbsorbedTriggersApart1732000003700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_dedup_uncounted (
        intake_id uuid NOT NULL,
        stream_id text NOT NULL,
        incarnation integer NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      INSERT INTO alert_dedup_uncounted (intake_id, stream_id, incarnation, received_at)
      SELECT id, absorbed_stream_id, absorbed_incarnation, received_at FROM alert_intake WHERE dedup_counted = false`);
    await queryRunner.query('DROP INDEX alert_intake_uncounted_idx');
    await queryRunner.query('ALTER TABLE alert_intake DROP COLUMN dedup_counted');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE alert_intake ADD COLUMN dedup_counted boolean');
    await queryRunner.query('UPDATE alert_intake SET dedup_counted = true WHERE absorbed_stream_id IS NOT NULL');
    await queryRunner.query('UPDATE alert_intake i SET dedup_counted = false FROM alert_dedup_uncounted u WHERE u.intake_id = i.id');
    await queryRunner.query('CREATE INDEX alert_intake_uncounted_idx ON alert_intake (absorbed_stream_id) WHERE dedup_counted = false');
    await queryRunner.query('DROP TABLE alert_dedup_uncounted');
  }
}
