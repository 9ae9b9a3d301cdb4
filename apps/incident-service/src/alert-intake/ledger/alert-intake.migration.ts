import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `alert_intake`, the ledger of alert deliveries (see `AlertIntakeRepository`). `next_attempt_at` is a
 * processing lease: the request that inserts a row holds it while it processes the row; the worker
 * claims rows whose lease ran out (a crash, a failed attempt) with `FOR UPDATE SKIP LOCKED`.
 */
export class CreateAlertIntake1732000002100 implements MigrationInterface {
  name = 'CreateAlertIntake1732000002100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_intake (
        id uuid PRIMARY KEY,
        integration_id uuid NOT NULL REFERENCES integrations (id),
        received_at timestamptz NOT NULL,
        headers jsonb NOT NULL,
        raw_body text NOT NULL,
        event_action text,
        dedup_key text,
        verdict text NOT NULL CHECK (verdict IN ('accepted', 'rejected', 'duplicate')),
        reason text,
        processed_at timestamptz,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz
      )`);
    await queryRunner.query('CREATE INDEX alert_intake_deliveries_idx ON alert_intake (integration_id, received_at DESC, id DESC)');
    await queryRunner.query('CREATE INDEX alert_intake_pending_idx ON alert_intake (next_attempt_at) WHERE processed_at IS NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE alert_intake');
  }
}
