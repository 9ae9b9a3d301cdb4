import { ValidationError } from '@fireline/errors';

/** Opaque page cursor of the delivery log: base64url of `seq:<n>` (the last row's `deliveries.seq`). */
export function encodeDeliveryCursor(seq: string): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** @throws ValidationError `DELIVERY.INVALID_CURSOR` for anything `encodeDeliveryCursor` did not make. */
export function decodeDeliveryCursor(cursor: string): string {
  const match = /^seq:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  // 19 digits can still overflow `deliveries.seq` (bigint), which PostgreSQL would answer with an error.
  if (!match || BigInt(match[1]!) > MAX_BIGINT) {
    throw new ValidationError('DELIVERY.INVALID_CURSOR', 'The cursor is not one this API returned', [{ field: 'cursor', message: 'is not valid' }]);
  }
  return match[1];
}
