import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deliveries are handed out in order: one at a time per status-page subscriber, and per rule and
 * incident (see `DeliveryQueue.claimDue`). The claim asks, for each due delivery, whether an older one
 * of the same subscriber (or rule and incident) is still unfinished (`pending`, `retrying` or
 * `sending`); these partial indexes answer that from the few unfinished rows, not the delivery log.
 */
export class AddDeliveryOrderIndexes1732000001400 implements MigrationInterface {
  name = 'AddDeliveryOrderIndexes1732000001400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX deliveries_unfinished_subscriber_idx ON deliveries (subscriber_id, seq)
        WHERE subscriber_id IS NOT NULL AND status IN ('pending', 'retrying', 'sending')`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_unfinished_rule_incident_idx ON deliveries (rule_id, incident_id, seq)
        WHERE rule_id IS NOT NULL AND status IN ('pending', 'retrying', 'sending')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX deliveries_unfinished_rule_incident_idx');
    await queryRunner.query('DROP INDEX deliveries_unfinished_subscriber_idx');
  }
}
