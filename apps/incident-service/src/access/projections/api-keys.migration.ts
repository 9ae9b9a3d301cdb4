import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `api_keys`, the API key list read model (`apiKeysProjection`), and `api_key_usage`, when each key
 * was last used against incident-service (written by the auth guard at most once a minute per key;
 * outside the projection, so a rebuild keeps it).
 */
export class CreateApiKeys1732000003100 implements MigrationInterface {
  name = 'CreateApiKeys1732000003100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        key_id text PRIMARY KEY,
        name text NOT NULL,
        scopes text[] NOT NULL,
        role text,
        expires_at timestamptz NOT NULL,
        issued_at timestamptz NOT NULL,
        issued_by text NOT NULL,
        revoked_at timestamptz,
        revoked_by text,
        revoke_reason text,
        version integer NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX api_keys_issued_idx ON api_keys (issued_at DESC, key_id DESC)');
    await queryRunner.query('CREATE TABLE api_key_usage (key_id text PRIMARY KEY, last_used_at timestamptz NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE api_key_usage');
    await queryRunner.query('DROP TABLE api_keys');
  }
}
