import { resealInBatches, sealedWithCurrentKeyPattern, SecretBoxError, type ResealReport } from '@fireline/secrets';
import type { Pool } from 'pg';
import { NotificationSecretBox } from './notification-secret-box';

/** What one re-sealing pass did, per table. */
export interface NotificationResealReport extends Record<string, ResealReport> {
  rules: ResealReport;
  deliveries: ResealReport;
  subscribers: ResealReport;
  statuspageSyncConfigs: ResealReport;
}

/**
 * Seals, with the current key, every notification rule secret, rule URL, delivery URL (and a
 * subscriber delivery's payload), status-page subscriber URL, secret and unsubscribe token, and
 * Statuspage API key that is still plaintext (written before encryption existed) or sealed with an
 * older key (a rotation). Runs at
 * start-up in the background and from `reseal-secrets.js`; safe to repeat and to run on several
 * instances at once. Rows whose key is missing are left and reported.
 */
export async function resealNotificationSecrets(pool: Pool, secrets: NotificationSecretBox, batchSize = 500): Promise<NotificationResealReport> {
  const box = secrets.box;
  const current = sealedWithCurrentKeyPattern(box);
  const failure = (id: string, error: unknown) => ({ id, reason: error instanceof SecretBoxError ? error.message : String(error) });

  const rules = await resealInBatches(
    pool,
    async (client, after, limit) => {
      const { rows } = await client.query<{ id: string; target_url: string; webhook_secret: string | null }>(
        `SELECT id, target_url, webhook_secret FROM notification_rules
          WHERE (target_url NOT LIKE $1 OR webhook_secret NOT LIKE $1) AND ($2::uuid IS NULL OR id > $2::uuid)
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [current, after, limit],
      );
      const failed = [];
      for (const row of rows) {
        try {
          const url = box.resealed(row.target_url, NotificationSecretBox.ruleTargetUrlContext(row.id)) ?? row.target_url;
          const secret = row.webhook_secret === null ? null : (box.resealed(row.webhook_secret, NotificationSecretBox.ruleSecretContext(row.id)) ?? row.webhook_secret);
          await client.query('UPDATE notification_rules SET target_url = $2, webhook_secret = $3 WHERE id = $1', [row.id, url, secret]);
        } catch (error) {
          failed.push(failure(row.id, error));
        }
      }
      return { resealed: rows.length - failed.length, failed, last: rows.at(-1)?.id ?? null };
    },
    batchSize,
  );

  const deliveries = await resealInBatches(
    pool,
    async (client, after, limit) => {
      // A rule's payload stays in the clear; a subscriber's is sealed (it carries the unsubscribe link).
      const { rows } = await client.query<{ id: string; target_url: string; payload: string; subscriber_id: string | null }>(
        `SELECT id, target_url, payload, subscriber_id FROM deliveries
          WHERE (target_url NOT LIKE $1 OR (subscriber_id IS NOT NULL AND payload NOT LIKE $1)) AND ($2::uuid IS NULL OR id > $2::uuid)
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [current, after, limit],
      );
      const failed = [];
      for (const row of rows) {
        try {
          const url = box.resealed(row.target_url, NotificationSecretBox.deliveryTargetUrlContext(row.id)) ?? row.target_url;
          const payload = row.subscriber_id === null ? row.payload : (box.resealed(row.payload, NotificationSecretBox.deliveryPayloadContext(row.id)) ?? row.payload);
          await client.query('UPDATE deliveries SET target_url = $2, payload = $3 WHERE id = $1', [row.id, url, payload]);
        } catch (error) {
          failed.push(failure(row.id, error));
        }
      }
      return { resealed: rows.length - failed.length, failed, last: rows.at(-1)?.id ?? null };
    },
    batchSize,
  );
  const subscribers = await resealInBatches(
    pool,
    async (client, after, limit) => {
      const { rows } = await client.query<{ id: string; webhook_url: string | null; webhook_secret: string | null; unsubscribe_token: string }>(
        `SELECT id, webhook_url, webhook_secret, unsubscribe_token FROM status_page_subscribers
          WHERE (webhook_url NOT LIKE $1 OR webhook_secret NOT LIKE $1 OR unsubscribe_token NOT LIKE $1) AND ($2::uuid IS NULL OR id > $2::uuid)
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [current, after, limit],
      );
      const failed = [];
      for (const row of rows) {
        try {
          const again = (column: 'webhook_url' | 'webhook_secret' | 'unsubscribe_token', value: string | null) =>
            value === null ? null : (box.resealed(value, NotificationSecretBox.subscriberColumnContext(column, row.id)) ?? value);
          await client.query('UPDATE status_page_subscribers SET webhook_url = $2, webhook_secret = $3, unsubscribe_token = $4 WHERE id = $1', [
            row.id,
            again('webhook_url', row.webhook_url),
            again('webhook_secret', row.webhook_secret),
            again('unsubscribe_token', row.unsubscribe_token),
          ]);
        } catch (error) {
          failed.push(failure(row.id, error));
        }
      }
      return { resealed: rows.length - failed.length, failed, last: rows.at(-1)?.id ?? null };
    },
    batchSize,
  );

  const statuspageSyncConfigs = await resealInBatches(
    pool,
    async (client, after, limit) => {
      const { rows } = await client.query<{ page_id: string; api_key: string }>(
        `SELECT page_id, api_key FROM statuspage_sync_configs WHERE api_key NOT LIKE $1 AND ($2::uuid IS NULL OR page_id > $2::uuid)
          ORDER BY page_id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [current, after, limit],
      );
      const failed = [];
      for (const row of rows) {
        try {
          const key = box.resealed(row.api_key, NotificationSecretBox.statuspageApiKeyContext(row.page_id)) ?? row.api_key;
          await client.query('UPDATE statuspage_sync_configs SET api_key = $2 WHERE page_id = $1', [row.page_id, key]);
        } catch (error) {
          failed.push(failure(row.page_id, error));
        }
      }
      return { resealed: rows.length - failed.length, failed, last: rows.at(-1)?.page_id ?? null };
    },
    batchSize,
  );
  return { rules, deliveries, subscribers, statuspageSyncConfigs };
}
