import { ValidationError } from '@fireline/errors';
import { z } from 'zod';

/** One page of any list endpoint: the platform's one list shape. */
export interface Page<T> {
  items: T[];
  /** Opaque; pass as `cursor` for the next page. `null` on the last page. */
  nextCursor: string | null;
}

/**
 * Encodes and decodes the keyset cursor of one list. A cursor is base64url (no padding) of
 * `{"v":1,"l":<list>,"k":<key>}`: versioned, tagged with its list (a cursor of another list is
 * refused), its key validated with a schema (see `cursorKey`), so that whatever comes back is safe to
 * bind in SQL.
 */
export interface CursorCodec<K> {
  /** The cursor of the page that follows the row whose sort key is `key`. */
  encode(key: K): string;
  /** @throws ValidationError `REQUEST.INVALID_CURSOR` (400) for anything `encode` of this list did not make. */
  decode(cursor: string): K;
}

/** Version of the cursor format. A new format gets a new number; old cursors are then refused. */
const CURSOR_VERSION = 1;
/** Longer than any cursor we make (a few keys), short enough to refuse junk before decoding it. */
const MAX_CURSOR_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_BIGINT = 9_223_372_036_854_775_807n;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `Date` rolls `2026-02-30` over to March: a real date is one that comes back unchanged. */
const isRealInstant = (value: string) => {
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
};

/**
 * The parts a cursor key is made of. Timestamps must be real instants with millisecond precision
 * (`Date#toISOString`), so sort columns holding JavaScript `Date`s; dates real calendar dates; ids
 * UUIDs; positions decimal strings within PostgreSQL `bigint`; versions safe non-negative integers.
 */
export const cursorKey = {
  timestamp: () => z.string().regex(ISO_INSTANT).refine(isRealInstant, 'is not a real instant'),
  date: () =>
    z
      .string()
      .regex(ISO_DATE)
      .refine((value) => isRealInstant(`${value}T00:00:00.000Z`), 'is not a real date'),
  uuid: () => z.string().regex(UUID),
  position: () =>
    z
      .string()
      .regex(/^\d{1,19}$/)
      // zod runs refinements after a failed regex too: BigInt('2025-…') would throw (a 500), not fail the check.
      .refine((value) => /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_BIGINT, 'is beyond bigint'),
  version: () => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
} as const;

function invalidCursor(reason: string): ValidationError {
  return new ValidationError('REQUEST.INVALID_CURSOR', 'cursor is not one this list returned', [{ field: 'cursor', message: reason }]);
}

/**
 * The cursor codec of the list named `list` (e.g. `incidents`), whose sort key has the shape `key`
 * (e.g. `z.tuple([cursorKey.timestamp(), cursorKey.uuid()])`). Every list uses one of these.
 */
export function cursorCodec<S extends z.ZodType>(list: string, key: S): CursorCodec<z.output<S>> {
  const envelope = z.strictObject({ v: z.literal(CURSOR_VERSION), l: z.literal(list), k: key });
  return {
    encode(value) {
      return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, l: list, k: value }), 'utf8').toString('base64url');
    },
    decode(cursor) {
      if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw invalidCursor('is not a cursor');
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor('is not a cursor');
      }
      const result = envelope.safeParse(parsed);
      if (!result.success) throw invalidCursor(`is not a cursor of ${list}`);
      return (result.data as { k: z.output<S> }).k;
    },
  };
}

/** Splits `limit + 1` fetched rows into a page, with the cursor of its last row when there are more. */
export function toPage<T, K>(rows: T[], limit: number, codec: CursorCodec<K>, keyOf: (row: T) => K): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? codec.encode(keyOf(last)) : null };
}
