import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `alert_dedup`: one row per alert stream (`alert-<uuid>`), what the cheap path needs to absorb an
 * identical trigger of an open alert without reading or appending to its stream (see
 * `AlertDedupRepository`): whether its incarnation is open, the stream version that state was read at
 * (the fence against a resolve the row has not seen yet), the highest severity of the incarnation
 * (`severity_rank`: 1 info … 4 critical), the trigger counter and last-seen time.
 */
export class CreateAlertDedup1732000003100 implements MigrationInterface {
  name = 'CreateAlertDedup1732000003100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_dedup (
        stream_id text PRIMARY KEY,
        incarnation integer NOT NULL,
        open boolean NOT NULL,
        stream_version bigint NOT NULL,
        trigger_count integer NOT NULL,
        severity_rank smallint NOT NULL,
        last_seen_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE alert_dedup');
  }
}
