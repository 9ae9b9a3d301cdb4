import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `alert_incidents`: which incident each alert incarnation belongs to, decided once by the alert
 * workflows when the incarnation opens (its own new incident, or the still-open incident of the
 * previous incarnation) and read by every later reaction, replays included.
 */
export class CreateAlertIncidents1732000003200 implements MigrationInterface {
  name = 'CreateAlertIncidents1732000003200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_incidents (
        stream_id text NOT NULL,
        incarnation integer NOT NULL,
        incident_id uuid NOT NULL,
        attached boolean NOT NULL,
        PRIMARY KEY (stream_id, incarnation)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE alert_incidents');
  }
}
