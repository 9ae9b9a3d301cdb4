import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `notification_rules.match_kinds`: the event kinds a rule wants (`lifecycle`, `alert_churn`); empty = any, as for existing rules. */
export class AddNotificationRuleMatchKinds1732000001300 implements MigrationInterface {
  name = 'AddNotificationRuleMatchKinds1732000001300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notification_rules ADD COLUMN match_kinds text[] NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE notification_rules DROP COLUMN match_kinds');
  }
}
