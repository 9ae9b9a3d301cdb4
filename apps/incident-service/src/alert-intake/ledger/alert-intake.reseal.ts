import { isSealed, resealInBatches, sealedWithCurrentKeyPattern, type ResealReport, type SecretBox } from '@fireline/secrets';
import type { Pool } from 'pg';
import { redactedHeaders } from './alert-intake.redaction';
import { rawBodyContext } from './alert-intake.repository';

/**
 * Brings ledger rows up to date: a body still in plaintext (recorded before encryption existed) is
 * sealed and its headers are redacted as new rows' are; a body sealed with an older key is sealed again
 * with the current one. (What the ledger shows is redacted from the body when read.) Safe to repeat and
 * to run on several instances.
 */
export function resealAlertIntake(pool: Pool, box: SecretBox, batchSize = 500): Promise<ResealReport> {
  const current = sealedWithCurrentKeyPattern(box);
  return resealInBatches(
    pool,
    async (client, after, limit) => {
      const { rows } = await client.query<{ id: string; raw_body: string; headers: Record<string, string | string[]> }>(
        `SELECT id, raw_body, headers FROM alert_intake
          WHERE raw_body NOT LIKE $1 AND ($2::uuid IS NULL OR id > $2::uuid)
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [current, after, limit],
      );
      const failed = [];
      for (const row of rows) {
        try {
          const legacy = !isSealed(row.raw_body);
          await client.query('UPDATE alert_intake SET raw_body = $2, headers = $3 WHERE id = $1', [
            row.id,
            box.resealed(row.raw_body, rawBodyContext(row.id)) ?? row.raw_body,
            legacy ? redactedHeaders(row.headers) : row.headers,
          ]);
        } catch (error) {
          failed.push({ id: row.id, reason: error instanceof Error ? error.message : String(error) });
        }
      }
      return { resealed: rows.length - failed.length, failed, last: rows.at(-1)?.id ?? null };
    },
    batchSize,
  );
}
