import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `incident_summaries.human_acted` (a human actor — anything but `integration:*`/`system:*` — declared
 * the incident or acted on it) and `auto_resolved` (declared from an alert, `detection_source` `alert:…`,
 * and resolved with no human action before or at the resolution; cleared by a reopen), for the
 * dashboard's `autoResolved=exclude`. Existing rows are filled from the incidents' events, as the
 * projection would compute them (a rebuild gives the same).
 */
export class AddIncidentSummaryAutoResolved1732000003300 implements MigrationInterface {
  name = 'AddIncidentSummaryAutoResolved1732000003300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE incident_summaries
      ADD COLUMN human_acted boolean NOT NULL DEFAULT false,
      ADD COLUMN auto_resolved boolean NOT NULL DEFAULT false`);
    const human = `e.stream_id = 'incident-' || s.id::text AND e.data->>'by' NOT LIKE 'integration:%' AND e.data->>'by' NOT LIKE 'system:%'`;
    await queryRunner.query(`UPDATE incident_summaries s SET
      human_acted = EXISTS (SELECT 1 FROM events e WHERE ${human}),
      auto_resolved = s.resolved_at IS NOT NULL AND s.detection_source LIKE 'alert:%' AND NOT EXISTS (
        SELECT 1 FROM events e WHERE ${human} AND e.version <= (
          SELECT max(r.version) FROM events r WHERE r.stream_id = 'incident-' || s.id::text AND r.event_type = 'IncidentResolved'))`);
    await queryRunner.query('CREATE INDEX incident_summaries_auto_resolved_idx ON incident_summaries (resolved_at) WHERE auto_resolved');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Drops the partial index with the column (a projection rebuild renames the index, so not by name).
    await queryRunner.query('ALTER TABLE incident_summaries DROP COLUMN auto_resolved, DROP COLUMN human_acted');
  }
}
