import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's protections:
 * - `alert_intake.display_body`: the body as people see it (redacted); `raw_body` now holds the body
 *   sealed. Rows recorded before stay as they are here (no key in migrations): the service seals them and
 *   fills `display_body` at start-up (`resealIncidentSecrets`), and shows a redacted copy meanwhile.
 * - `alert_intake_unauthenticated`: per integration and window, how many deliveries failed
 *   authentication; only the first `ALERT_INTAKE_UNAUTHENTICATED_MAX_PER_WINDOW` of them get a ledger row.
 */
export class ProtectAlertIntake1732000002750 implements MigrationInterface {
  name = 'ProtectAlertIntake1732000002750';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE alert_intake ADD COLUMN display_body text');
    await queryRunner.query(`
      CREATE TABLE alert_intake_unauthenticated (
        integration_id uuid NOT NULL REFERENCES integrations (id),
        window_start timestamptz NOT NULL,
        received integer NOT NULL,
        last_received_at timestamptz NOT NULL,
        PRIMARY KEY (integration_id, window_start)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE alert_intake_unauthenticated');
    await queryRunner.query('ALTER TABLE alert_intake DROP COLUMN display_body');
  }
}
