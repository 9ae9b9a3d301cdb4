import type { Pool } from 'pg';

/**
 * Every row of every table in the database's `public` schema as text (`<table>: <row as JSON>` per
 * line): what someone with a copy of the database or a backup would read. For "no plaintext secret at
 * rest" checks.
 */
export async function dumpAllTables(pool: Pool): Promise<string> {
  const { rows: tables } = await pool.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
  const lines: string[] = [];
  for (const { name } of tables) {
    const { rows } = await pool.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${name}" t`);
    for (const { row } of rows) lines.push(`${name}: ${row}`);
  }
  return lines.join('\n');
}
