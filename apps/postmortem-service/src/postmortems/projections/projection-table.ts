/** `a.b` -> `"a"."b"`: the table a projection was handed (live or rebuild shadow), quoted for SQL. */
export function quoteTable(table: string): string {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => /^[A-Za-z_][A-Za-z0-9_$]*$/.test(part))) {
    throw new RangeError(`Not a plain table name: ${JSON.stringify(table)}`);
  }
  return parts.map((part) => `"${part}"`).join('.');
}
