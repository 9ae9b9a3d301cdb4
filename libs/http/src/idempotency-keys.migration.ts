import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `idempotency_keys`: one row per `Idempotency-Key`, holding the first response for replays. */
export class CreateIdempotencyKeys1732000000200 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1732000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        key text PRIMARY KEY,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
        response_status integer,
        response_body jsonb,
        response_headers jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE idempotency_keys');
  }
}
