import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `alert_dedup`: one row per alert stream (`alert-<uuid>`), what the cheap path needs to absorb an
 * identical trigger of an open alert without reading or appending to its stream (see
 * `AlertDedupRepository`): whether its incarnation is open, the stream version that state was read at
 * (the fence against a resolve the row has not seen yet), the highest severity of the incarnation
 * (`severity_rank`: 1 info … 4 critical), the trigger counter and last-seen time (which alert expiry
 * reads). `alert_members`: for grouped alerts (Alertmanager), when each firing member was last sent.
 */
export class CreateAlertDedup1732000003100 implements MigrationInterface {
  name = 'CreateAlertDedup1732000003100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_dedup (
        stream_id text PRIMARY KEY,
        integration_id uuid NOT NULL,
        dedup_key text NOT NULL,
        incarnation integer NOT NULL,
        open boolean NOT NULL,
        stream_version bigint NOT NULL,
        trigger_count integer NOT NULL,
        severity_rank smallint NOT NULL,
        last_seen_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX alert_dedup_open_last_seen_idx ON alert_dedup (last_seen_at) WHERE open');
    await queryRunner.query(`
      CREATE TABLE alert_members (
        stream_id text NOT NULL,
        fingerprint text NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (stream_id, fingerprint)
      )`);
    await queryRunner.query('CREATE INDEX alert_members_last_seen_idx ON alert_members (last_seen_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE alert_members');
    await queryRunner.query('DROP TABLE alert_dedup');
  }
}
