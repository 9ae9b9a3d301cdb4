import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `integrations.auto_resolve` (see `AUTO_RESOLVE_POLICIES`); existing integrations keep today's behaviour. */
export class AddIntegrationAutoResolve1732000002600 implements MigrationInterface {
  name = 'AddIntegrationAutoResolve1732000002600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE integrations ADD COLUMN auto_resolve text NOT NULL DEFAULT 'unless_taken_over'
        CHECK (auto_resolve IN ('unless_taken_over', 'always', 'never'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE integrations DROP COLUMN auto_resolve');
  }
}
