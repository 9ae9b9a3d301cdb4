import type { MigrationInterface, QueryRunner } from 'typeorm';
/**
 * Partial index over the audit entries, so that reading the log never scans the events table:
 * `events (global_position) WHERE metadata ? 'audit'`. In the migrations of every service with an audit log.
 */
export class CreateAuditLogIndex1732000003100 implements MigrationInterface {
  name = 'CreateAuditLogIndex1732000003100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS events_audit_idx ON events (global_position) WHERE metadata ? 'audit'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX IF EXISTS events_audit_idx');
  }
}
