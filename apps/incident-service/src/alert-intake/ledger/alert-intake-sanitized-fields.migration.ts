import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `alert_intake.sanitized_fields`: where a delivery held text PostgreSQL cannot store (NUL, lone
 * surrogates) that the receiver replaced with U+FFFD before processing it (see `sanitizeUnstorableText`);
 * empty for every delivery that needed nothing. The raw body keeps what was sent.
 */
export class AddAlertIntakeSanitizedFields1732000002700 implements MigrationInterface {
  name = 'AddAlertIntakeSanitizedFields1732000002700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE alert_intake ADD COLUMN sanitized_fields text[] NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE alert_intake DROP COLUMN sanitized_fields');
  }
}
