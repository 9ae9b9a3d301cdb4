import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Status pages' tables:
 * - `status_page_views`: one row per page, the read model document (`StatusPageView`) the public pages
 *   render from, with its stream version; looked up by `slug` (unique).
 * - `status_page_timers`: due maintenance timers (start at `scheduled_for`, complete at `scheduled_until`),
 *   written by the timers projection, fired by `MaintenanceTimerWorker` (`fired_at` once done).
 * - `status_page_incident_links`: which pages an incident is published on, kept by the
 *   `update-status-page-when-incident-changed` workflow in its own subscription transactions.
 */
export class CreateStatusPageTables1732000003000 implements MigrationInterface {
  name = 'CreateStatusPageTables1732000003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status_page_views (
        page_id uuid PRIMARY KEY,
        slug text NOT NULL,
        name text NOT NULL,
        version integer NOT NULL,
        document jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE UNIQUE INDEX status_page_views_slug_idx ON status_page_views (slug)');
    await queryRunner.query('CREATE INDEX status_page_views_created_idx ON status_page_views (created_at, page_id)');
    await queryRunner.query(`
      CREATE TABLE status_page_timers (
        page_id uuid NOT NULL,
        maintenance_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('start', 'complete')),
        due_at timestamptz NOT NULL,
        fired_at timestamptz,
        outcome text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error text,
        PRIMARY KEY (page_id, maintenance_id, kind)
      )`);
    await queryRunner.query('CREATE INDEX status_page_timers_due_idx ON status_page_timers (due_at) WHERE fired_at IS NULL');
    await queryRunner.query(`
      CREATE TABLE status_page_incident_links (
        incident_id text NOT NULL,
        page_id uuid NOT NULL,
        PRIMARY KEY (incident_id, page_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE status_page_incident_links');
    await queryRunner.query('DROP TABLE status_page_timers');
    await queryRunner.query('DROP TABLE status_page_views');
  }
}
