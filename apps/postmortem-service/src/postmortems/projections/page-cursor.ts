import { ValidationError } from '@fireline/errors';

/** One page of a list endpoint (the platform's list shape). */
export interface Page<T> {
  items: T[];
  /** Opaque; pass as `cursor` for the next page. `null` on the last page. */
  nextCursor: string | null;
}

/** Encodes the sort key of a page's last row as an opaque cursor. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export const CURSOR_PARTS = {
  date: /^\d{4}-\d{2}-\d{2}$/,
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
} as const;

/**
 * Decodes a cursor made by `encodeCursor` whose parts match `parts` (so they are safe to cast in SQL).
 * @throws ValidationError `REQUEST.INVALID_CURSOR` for anything else.
 */
export function decodeCursor(cursor: string, parts: readonly RegExp[]): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== parts.length || !parsed.every((part, i) => typeof part === 'string' && parts[i]!.test(part))) {
    throw new ValidationError('REQUEST.INVALID_CURSOR', 'cursor is not one this API returned', [{ field: 'cursor', message: 'unknown cursor' }]);
  }
  return parsed as string[];
}

/** Splits `limit + 1` fetched rows into a page, with the cursor of its last row when there are more. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => readonly string[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
