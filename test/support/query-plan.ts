import type { Pool, PoolClient } from 'pg';

/** Runs `work` on one client inside a transaction that is rolled back afterwards, whatever `work` does. */
export async function inRolledBackTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    return await work(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/**
 * What PostgreSQL did running a statement: rows the top plan node returned, shared buffers it read (hit
 * + read from disk), and the indexes its plan used (every node's `Index Name`, in plan order).
 */
export interface ExecutedPlan {
  rows: number;
  buffers: number;
  indexes: string[];
}

/**
 * Runs `sql` with `values` under `EXPLAIN (ANALYZE, BUFFERS)` in a transaction that is rolled back (so a
 * claim leaves its rows as they were) and returns its row count and buffer reads: the work a statement
 * does, to hold a query's plan to a bound without timing it.
 */
export function executedPlan(pool: Pool, sql: string, values: unknown[] = []): Promise<ExecutedPlan> {
  return inRolledBackTransaction(pool, async (client) => {
    type Node = { 'Actual Rows': number; 'Shared Hit Blocks': number; 'Shared Read Blocks': number; 'Index Name'?: string; Plans?: Node[] };
    const explained = await client.query<{ 'QUERY PLAN': [{ Plan: Node }] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, values);
    const plan = explained.rows[0]['QUERY PLAN'][0].Plan;
    const indexesOf = (node: Node): string[] => [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexesOf)];
    return { rows: plan['Actual Rows'], buffers: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'], indexes: indexesOf(plan) };
  });
}
