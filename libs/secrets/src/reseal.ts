import type { Pool, PoolClient } from 'pg';
import type { SecretBox } from './secret-box';

/**
 * A SQL `LIKE` pattern matching values sealed with the box's current key (`fl1:<kid>:%`, `_` escaped):
 * `column NOT LIKE $n` selects what is still plaintext or under an older key.
 */
export function sealedWithCurrentKeyPattern(box: SecretBox): string {
  return `fl1:${box.currentKeyId.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`;
}

/** What one pass over a table did. */
export interface ResealReport {
  /** Rows now sealed with the current key. */
  resealed: number;
  /** Rows that could not be opened (their key is not configured): left as they are, named in `problems`. */
  failed: number;
  /** One line per failed row, `<id>: <reason>`, at most 20. */
  problems: string[];
}

/**
 * Re-seals rows in short transactions of up to `batchSize` until none is left: `batch` locks and
 * rewrites one batch (`FOR UPDATE SKIP LOCKED`, so several instances share the work and none waits) and
 * reports the ids it rewrote and the ids it could not open, which later batches skip. Safe to repeat
 * and to run while the service works: every write sets a value that opens to the same plaintext.
 */
export async function resealInBatches(
  pool: Pool,
  batch: (client: PoolClient, skip: string[], batchSize: number) => Promise<{ resealed: number; failed: { id: string; reason: string }[] }>,
  batchSize = 500,
): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, failed: 0, problems: [] };
  const skip: string[] = [];
  for (;;) {
    const client = await pool.connect();
    let result: Awaited<ReturnType<typeof batch>>;
    try {
      await client.query('BEGIN');
      result = await batch(client, skip, batchSize);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    report.resealed += result.resealed;
    report.failed += result.failed.length;
    for (const failure of result.failed) {
      skip.push(failure.id);
      if (report.problems.length < 20) report.problems.push(`${failure.id}: ${failure.reason}`);
    }
    if (result.resealed + result.failed.length === 0) return report;
  }
}
