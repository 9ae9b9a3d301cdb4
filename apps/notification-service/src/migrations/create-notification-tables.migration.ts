import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AddDeliveryOrderIndexes1732000001400 } from './add-delivery-order-indexes.migration';
import { AddNotificationRuleMatchKinds1732000001300 } from './add-notification-rule-match-kinds.migration';
import { AddDeliveryRoundStartAndTargetOrigin1732000001100 } from './add-delivery-round-start-and-target-origin.migration';
import { AddStatusPageSubscribers1732000001200 } from './add-status-page-subscribers.migration';

/**
 * `notification_rules` (configuration, plain CRUD, soft-deleted), `deliveries` (one per rule and
 * event, the outbound queue and its log) and `delivery_attempts` (one row per HTTP attempt).
 *
 * `deliveries.payload` is text, not jsonb: jsonb would normalise the JSON, and webhook signatures
 * cover the exact bytes sent. `seq` orders the log (newest first) and is the pagination cursor.
 */
export class CreateNotificationTables1732000001000 implements MigrationInterface {
  name = 'CreateNotificationTables1732000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notification_rules (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        enabled boolean NOT NULL,
        match_severities text[] NOT NULL DEFAULT '{}',
        match_services text[] NOT NULL DEFAULT '{}',
        match_event_types text[] NOT NULL DEFAULT '{}',
        channel_type text NOT NULL CHECK (channel_type IN ('webhook', 'slack')),
        target_url text NOT NULL,
        webhook_secret text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CHECK ((channel_type = 'webhook') = (webhook_secret IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX notification_rules_active_idx ON notification_rules (created_at, id) WHERE deleted_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        rule_id uuid NOT NULL REFERENCES notification_rules (id),
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        incident_id text NOT NULL,
        channel_type text NOT NULL CHECK (channel_type IN ('webhook', 'slack')),
        target_url text NOT NULL,
        payload text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sending', 'retrying', 'delivered', 'dead_lettered')),
        attempt_count integer NOT NULL DEFAULT 0,
        round_start_attempt integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_expires_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        dead_lettered_at timestamptz,
        UNIQUE (rule_id, event_id)
      )`);
    await queryRunner.query(`CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status IN ('pending', 'retrying')`);
    await queryRunner.query(`CREATE INDEX deliveries_lease_idx ON deliveries (lease_expires_at) WHERE status = 'sending'`);
    await queryRunner.query(`CREATE INDEX deliveries_incident_idx ON deliveries (incident_id, seq DESC)`);
    await queryRunner.query(`CREATE INDEX deliveries_status_idx ON deliveries (status, seq DESC)`);
    await queryRunner.query(`CREATE INDEX deliveries_rule_idx ON deliveries (rule_id, seq DESC)`);
    await queryRunner.query(`
      CREATE TABLE delivery_attempts (
        delivery_id uuid NOT NULL REFERENCES deliveries (id),
        attempt_no integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        http_status integer,
        error text,
        response_excerpt text,
        PRIMARY KEY (delivery_id, attempt_no)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE delivery_attempts');
    await queryRunner.query('DROP TABLE deliveries');
    await queryRunner.query('DROP TABLE notification_rules');
  }
}

/** This service's own migrations, in order (the messaging lib's come first, see the module). */
export const NOTIFICATION_MIGRATIONS = [
  CreateNotificationTables1732000001000,
  AddDeliveryRoundStartAndTargetOrigin1732000001100,
  AddStatusPageSubscribers1732000001200,
  AddNotificationRuleMatchKinds1732000001300,
  AddDeliveryOrderIndexes1732000001400,
];
