import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Status-page subscribers and the Statuspage mirror (issue 10, second slice):
 *
 * - `status_page_copies`: notification-service's own copy of each status page it heard of on
 *   `fireline.status-pages.v1` (id, slug, name, page status, components); services never read each
 *   other's tables. `last_event_at` keeps a late, older event from overwriting a newer copy.
 * - `status_page_subscribers`: email (double opt-in) and webhook subscribers, page-wide
 *   (`component_ids` empty) or per component. Confirmation tokens are stored as sha256 (single use,
 *   expiring); the unsubscribe token, which every message must carry, and the webhook URL and secret
 *   are sealed (`libs/secrets`). `consecutive_dead_letters` / `quarantined_at`: the quarantine.
 * - `status_page_subscribe_requests`: confirmation emails per address (sha256 of the lower-cased address)
 *   per hour, the per-address limit of the public subscribe route, shared by every instance.
 * - `deliveries` also serve subscribers: a delivery belongs to a rule or a subscriber (exactly one),
 *   `incident_id` is null for deliveries about a component or a maintenance, `status_page_id` names the
 *   page, channel `email` joins `webhook` and `slack`; `delivery_attempts.smtp_reply_code` records the SMTP
 *   server's reply.
 * - `statuspage_sync_configs`, `statuspage_sync_jobs`, `statuspage_sync_objects`: the mirror of a page
 *   to an Atlassian Statuspage page (its API key sealed), the queue of events to mirror (one per event,
 *   in page order), and the mapping of Fireline ids to Statuspage ids (see `StatuspageSyncWorker`).
 */
export class AddStatusPageSubscribers1732000001200 implements MigrationInterface {
  name = 'AddStatusPageSubscribers1732000001200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status_page_copies (
        page_id uuid PRIMARY KEY,
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        url text NOT NULL,
        time_zone text NOT NULL,
        status_indicator text NOT NULL,
        status_description text NOT NULL,
        components jsonb NOT NULL DEFAULT '[]',
        last_event_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE status_page_subscribers (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        page_id uuid NOT NULL,
        channel_type text NOT NULL CHECK (channel_type IN ('email', 'webhook')),
        email text,
        email_key text,
        webhook_url text,
        webhook_secret text,
        component_ids text[] NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed')),
        confirm_token_hash text,
        confirm_expires_at timestamptz,
        unsubscribe_token text NOT NULL,
        consecutive_dead_letters integer NOT NULL DEFAULT 0,
        quarantined_at timestamptz,
        quarantine_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz,
        unsubscribed_at timestamptz,
        CHECK ((channel_type = 'email') = (email IS NOT NULL AND email_key IS NOT NULL)),
        CHECK ((channel_type = 'webhook') = (webhook_url IS NOT NULL AND webhook_secret IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX status_page_subscribers_email_idx ON status_page_subscribers (page_id, email_key) WHERE channel_type = 'email' AND status <> 'unsubscribed'`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX status_page_subscribers_confirm_idx ON status_page_subscribers (confirm_token_hash) WHERE confirm_token_hash IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX status_page_subscribers_page_idx ON status_page_subscribers (page_id, seq)`);
    await queryRunner.query(`CREATE INDEX status_page_subscribers_pending_idx ON status_page_subscribers (page_id, confirm_expires_at) WHERE status = 'pending'`);
    await queryRunner.query(`
      CREATE TABLE status_page_subscribe_requests (
        address_hash text NOT NULL,
        window_start timestamptz NOT NULL,
        count integer NOT NULL,
        PRIMARY KEY (address_hash, window_start)
      )`);

    await queryRunner.query(`ALTER TABLE deliveries ALTER COLUMN rule_id DROP NOT NULL, ALTER COLUMN incident_id DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN subscriber_id uuid REFERENCES status_page_subscribers (id), ADD COLUMN status_page_id uuid`);
    await queryRunner.query(`ALTER TABLE deliveries ADD CONSTRAINT deliveries_one_owner CHECK ((rule_id IS NULL) <> (subscriber_id IS NULL))`);
    await queryRunner.query(`ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_type_check`);
    await queryRunner.query(`ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_type_check CHECK (channel_type IN ('webhook', 'slack', 'email'))`);
    await queryRunner.query(`CREATE UNIQUE INDEX deliveries_subscriber_event_idx ON deliveries (subscriber_id, event_id) WHERE subscriber_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX deliveries_subscriber_idx ON deliveries (subscriber_id, seq DESC) WHERE subscriber_id IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE delivery_attempts ADD COLUMN smtp_reply_code integer`);

    await queryRunner.query(`
      CREATE TABLE statuspage_sync_configs (
        page_id uuid PRIMARY KEY,
        statuspage_page_id text NOT NULL,
        api_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE statuspage_sync_jobs (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        page_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        event jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        first_attempt_at timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (page_id, event_id)
      )`);
    await queryRunner.query(`CREATE INDEX statuspage_sync_jobs_pending_idx ON statuspage_sync_jobs (page_id, seq) WHERE status = 'pending'`);
    await queryRunner.query(`
      CREATE TABLE statuspage_sync_objects (
        page_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('component', 'incident', 'maintenance', 'update')),
        fireline_id text NOT NULL,
        statuspage_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (page_id, kind, fireline_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE statuspage_sync_objects');
    await queryRunner.query('DROP TABLE statuspage_sync_jobs');
    await queryRunner.query('DROP TABLE statuspage_sync_configs');
    await queryRunner.query('ALTER TABLE delivery_attempts DROP COLUMN smtp_reply_code');
    await queryRunner.query(`DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE subscriber_id IS NOT NULL)`);
    await queryRunner.query(`DELETE FROM deliveries WHERE subscriber_id IS NOT NULL`);
    await queryRunner.query('DROP INDEX deliveries_subscriber_idx');
    await queryRunner.query('DROP INDEX deliveries_subscriber_event_idx');
    await queryRunner.query(`ALTER TABLE deliveries DROP CONSTRAINT deliveries_channel_type_check`);
    await queryRunner.query(`ALTER TABLE deliveries ADD CONSTRAINT deliveries_channel_type_check CHECK (channel_type IN ('webhook', 'slack'))`);
    await queryRunner.query('ALTER TABLE deliveries DROP CONSTRAINT deliveries_one_owner');
    await queryRunner.query('ALTER TABLE deliveries DROP COLUMN status_page_id, DROP COLUMN subscriber_id');
    await queryRunner.query('ALTER TABLE deliveries ALTER COLUMN rule_id SET NOT NULL, ALTER COLUMN incident_id SET NOT NULL');
    await queryRunner.query('DROP TABLE status_page_subscribe_requests');
    await queryRunner.query('DROP TABLE status_page_subscribers');
    await queryRunner.query('DROP TABLE status_page_copies');
  }
}
