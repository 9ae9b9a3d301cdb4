import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `inbox` (consumer dedup, one row per processed message) and `dead_letters` (parked messages). */
export class CreateInboxAndDeadLetters1732000000100 implements MigrationInterface {
  name = 'CreateInboxAndDeadLetters1732000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE dead_letters (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        consumer text NOT NULL,
        topic text NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        envelope jsonb NOT NULL,
        error text NOT NULL,
        attempts integer NOT NULL,
        first_failed_at timestamptz NOT NULL DEFAULT now(),
        last_failed_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (consumer, event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE dead_letters');
    await queryRunner.query('DROP TABLE inbox');
  }
}

export const MESSAGING_MIGRATIONS = [CreateInboxAndDeadLetters1732000000100];
