import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `pagerduty_webhook_deliveries`: one row per PagerDuty event (`event.id`) per integration, the database's
 * guard that a redelivery has no second effect (see `PagerDutyWebhookDeliveryRepository`). The primary key
 * is `(integration_id, external_delivery_id)`; `X-Webhook-Id` is unique per integration as well.
 * `claimed_until` is the processing lease of the request handling it.
 */
export class CreatePagerDutyWebhookDeliveries1732000002500 implements MigrationInterface {
  name = 'CreatePagerDutyWebhookDeliveries1732000002500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pagerduty_webhook_deliveries (
        integration_id uuid NOT NULL REFERENCES integrations (id),
        external_delivery_id text NOT NULL,
        webhook_id text,
        event_type text NOT NULL,
        first_intake_id uuid NOT NULL,
        received_at timestamptz NOT NULL,
        claimed_until timestamptz,
        processed_at timestamptz,
        verdict text,
        reason text,
        PRIMARY KEY (integration_id, external_delivery_id)
      )`);
    await queryRunner.query(
      'CREATE UNIQUE INDEX pagerduty_webhook_deliveries_webhook_id_key ON pagerduty_webhook_deliveries (integration_id, webhook_id) WHERE webhook_id IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE pagerduty_webhook_deliveries');
  }
}
