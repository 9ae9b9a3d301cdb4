import { resealInBatches, sealedWithCurrentKeyPattern, type ResealReport, type SecretBox } from '@fireline/secrets';
import type { Pool } from 'pg';
import { signingSecretContext } from './integration.repository';

/**
 * Seals, with the current key, every PagerDuty signing secret that is still plaintext (stored before
 * encryption existed) or sealed with an older key. Safe to repeat and to run on several instances.
 */
export function resealIntegrationSecrets(pool: Pool, box: SecretBox, batchSize = 500): Promise<ResealReport> {
  const current = sealedWithCurrentKeyPattern(box);
  return resealInBatches(
    pool,
    async (client, after, limit) => {
      const { rows } = await client.query<{ id: string; signing_secrets: string[] }>(
        `SELECT id, signing_secrets FROM integrations
          WHERE EXISTS (SELECT 1 FROM unnest(signing_secrets) AS s WHERE s NOT LIKE $1) AND ($2::uuid IS NULL OR id > $2::uuid)
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [current, after, limit],
      );
      const failed = [];
      for (const row of rows) {
        try {
          const sealed = row.signing_secrets.map((secret) => box.resealed(secret, signingSecretContext(row.id)) ?? secret);
          await client.query('UPDATE integrations SET signing_secrets = $2 WHERE id = $1', [row.id, sealed]);
        } catch (error) {
          failed.push({ id: row.id, reason: error instanceof Error ? error.message : String(error) });
        }
      }
      return { resealed: rows.length - failed.length, failed, last: rows.at(-1)?.id ?? null };
    },
    batchSize,
  );
}
