import { Pool, type PoolClient } from 'pg';
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

/** What one batch did: the rows it rewrote, the ones it could not open, and the last id it looked at. */
export interface ResealBatch {
  resealed: number;
  failed: { id: string; reason: string }[];
  /** The greatest id of the batch (the next batch starts after it), or null when the table is done. */
  last: string | null;
}

/**
 * Walks a table once in id order, in short transactions of up to `batchSize` rows: `batch` selects the
 * rows after `after` that need work (`ORDER BY id LIMIT`, `FOR UPDATE SKIP LOCKED`, so several instances
 * share the work and none waits), rewrites them and says where it stopped. Keyset paging keeps every
 * batch an index range scan, however large the table. Safe to repeat and to run while the service works:
 * every write sets a value that opens to the same plaintext. Rows locked by someone else are skipped.
 */
export async function resealInBatches(pool: Pool, batch: (client: PoolClient, after: string | null, batchSize: number) => Promise<ResealBatch>, batchSize = 500): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, failed: 0, problems: [] };
  let after: string | null = null;
  for (;;) {
    const client = await pool.connect();
    let result: ResealBatch;
    try {
      await client.query('BEGIN');
      result = await batch(client, after, batchSize);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    report.resealed += result.resealed;
    report.failed += result.failed.length;
    for (const failure of result.failed) if (report.problems.length < 20) report.problems.push(`${failure.id}: ${failure.reason}`);
    if (result.last === null) return report;
    after = result.last;
  }
}

/**
 * The body of a service's `reseal-secrets.ts`: reads the config (`load` may throw on a bad or missing
 * key), runs `reseal` on a pool of two connections, prints one line per table and one per failed row,
 * and sets the exit code: 0 when everything is sealed with the current key, 1 otherwise (run it again
 * once the missing old key is configured).
 */
export async function resealFromCommandLine(
  service: string,
  load: () => { databaseUrl: string; box: SecretBox },
  reseal: (pool: Pool, box: SecretBox) => Promise<Record<string, ResealReport>>,
): Promise<void> {
  let pool: Pool | null = null;
  try {
    const { databaseUrl, box } = load();
    pool = new Pool({ connectionString: databaseUrl, max: 2 });
    const reports = await reseal(pool, box);
    let failed = 0;
    for (const [table, report] of Object.entries(reports)) {
      console.log(`${service}: ${table}: ${report.resealed} re-sealed with key ${box.currentKeyId}, ${report.failed} could not be opened`);
      for (const problem of report.problems) console.error(`${service}:   ${problem}`);
      failed += report.failed;
    }
    if (failed > 0) process.exitCode = 1;
  } catch (error) {
    console.error(`${service}: re-sealing failed:`, error instanceof Error ? error.message : error);
    process.exitCode = 1;
  } finally {
    await pool?.end();
  }
}
