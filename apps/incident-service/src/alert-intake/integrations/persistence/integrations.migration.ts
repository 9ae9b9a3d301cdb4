import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `integrations` (see `IntegrationEntity`). */
export class CreateIntegrations1732000002000 implements MigrationInterface {
  name = 'CreateIntegrations1732000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE integrations (
        id uuid PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('events-v2', 'alertmanager', 'pagerduty-webhooks-v3')),
        name text NOT NULL,
        service text NOT NULL,
        severity_mapping jsonb NOT NULL,
        credential_hash text,
        signing_secrets text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    // Receivers look integrations up by the hash of the credential they were sent.
    await queryRunner.query('CREATE UNIQUE INDEX integrations_credential_hash_key ON integrations (credential_hash) WHERE credential_hash IS NOT NULL');
    await queryRunner.query('CREATE INDEX integrations_active_created_idx ON integrations (created_at DESC, id DESC) WHERE deleted_at IS NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE integrations');
  }
}
