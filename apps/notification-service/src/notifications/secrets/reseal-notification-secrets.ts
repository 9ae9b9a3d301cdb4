import { resealInBatches, sealedWithCurrentKeyPattern, SecretBoxError, type ResealReport } from '@fireline/secrets';
import type { Pool } from 'pg';
import { NotificationSecretBox } from './notification-secret-box';

/**
 * Seals, with the current key, every notification rule secret, rule URL and delivery URL that is still
 * plaintext (written before encryption existed) or sealed with an older key (a rotation). Runs at
 * start-up in the background and from `reseal-secrets.js`; safe to repeat and to run on several
 * instances at once. Rows whose key is missing are left and reported.
 */
export async function resealNotificationSecrets(pool: Pool, secrets: NotificationSecretBox, batchSize = 500): Promise<{ rules: ResealReport; deliveries: ResealReport }> {
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
      const { rows } = await client.query<{ id: string; target_url: string }>(
        `SELECT id, target_url FROM deliveries WHERE target_url NOT LIKE $1 AND ($2::uuid IS NULL OR id > $2::uuid)
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [current, after, limit],
      );
      const failed = [];
      for (const row of rows) {
        try {
          const url = box.resealed(row.target_url, NotificationSecretBox.deliveryTargetUrlContext(row.id)) ?? row.target_url;
          await client.query('UPDATE deliveries SET target_url = $2 WHERE id = $1', [row.id, url]);
        } catch (error) {
          failed.push(failure(row.id, error));
        }
      }
      return { resealed: rows.length - failed.length, failed, last: rows.at(-1)?.id ?? null };
    },
    batchSize,
  );
  return { rules, deliveries };
}
