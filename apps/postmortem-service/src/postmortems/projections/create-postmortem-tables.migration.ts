import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The postmortem service's own tables: the incident timeline copy (written by the incident-events
 * consumer) and the two read models. Read-model tables use no sequences, so `rebuildProjection` can
 * copy them with `LIKE … INCLUDING ALL`.
 */
export class CreatePostmortemTables1732000001000 implements MigrationInterface {
  name = 'CreatePostmortemTables1732000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE incident_timeline_entries (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id uuid NOT NULL,
        event_id uuid NOT NULL UNIQUE,
        occurred_at timestamptz NOT NULL,
        type text NOT NULL,
        actor text NOT NULL,
        summary text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX incident_timeline_entries_incident_idx ON incident_timeline_entries (incident_id, occurred_at, seq)');

    await queryRunner.query(`
      CREATE TABLE postmortem_summaries (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL,
        title text NOT NULL,
        status text NOT NULL,
        due_at timestamptz NOT NULL,
        action_items_total integer NOT NULL DEFAULT 0,
        action_items_open integer NOT NULL DEFAULT 0,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX postmortem_summaries_incident_idx ON postmortem_summaries (incident_id)');
    await queryRunner.query('CREATE INDEX postmortem_summaries_status_idx ON postmortem_summaries (status, due_at)');

    await queryRunner.query(`
      CREATE TABLE action_items (
        id uuid PRIMARY KEY,
        postmortem_id uuid NOT NULL,
        incident_id uuid NOT NULL,
        title text NOT NULL,
        owner text NOT NULL,
        due_date date NOT NULL,
        priority text NOT NULL,
        status text NOT NULL,
        description text,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX action_items_postmortem_idx ON action_items (postmortem_id)');
    await queryRunner.query('CREATE INDEX action_items_owner_idx ON action_items (owner, status)');
    await queryRunner.query('CREATE INDEX action_items_due_idx ON action_items (status, due_date)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE action_items');
    await queryRunner.query('DROP TABLE postmortem_summaries');
    await queryRunner.query('DROP TABLE incident_timeline_entries');
  }
}

/** This service's migrations, in order (after the event-store and messaging ones). */
export const POSTMORTEM_SERVICE_MIGRATIONS = [CreatePostmortemTables1732000001000];
