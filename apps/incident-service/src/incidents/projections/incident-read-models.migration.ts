import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `incident_summaries`, the incident list / dashboard read model. */
export class CreateIncidentSummaries1732000001000 implements MigrationInterface {
  name = 'CreateIncidentSummaries1732000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE incident_summaries (
        id uuid PRIMARY KEY,
        title text NOT NULL,
        severity text NOT NULL,
        status text NOT NULL,
        services text[] NOT NULL DEFAULT '{}',
        detection_source text NOT NULL,
        declared_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        commander text,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query('CREATE INDEX incident_summaries_declared_idx ON incident_summaries (declared_at DESC, id DESC)');
    await queryRunner.query('CREATE INDEX incident_summaries_status_idx ON incident_summaries (status, severity)');
    await queryRunner.query('CREATE INDEX incident_summaries_services_idx ON incident_summaries USING gin (services)');
    await queryRunner.query('CREATE INDEX incident_summaries_resolved_idx ON incident_summaries (resolved_at) WHERE resolved_at IS NOT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE incident_summaries');
  }
}
