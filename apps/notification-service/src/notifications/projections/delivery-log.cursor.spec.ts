import { ValidationError } from '@fireline/errors';
import { decodeDeliveryCursor, encodeDeliveryCursor } from './delivery-log.cursor';

describe('delivery log cursor', () => {
  it('round-trips a sequence number, including ones above 2^53', () => {
    expect(decodeDeliveryCursor(encodeDeliveryCursor('42'))).toBe('42');
    expect(decodeDeliveryCursor(encodeDeliveryCursor('9007199254740993'))).toBe('9007199254740993');
  });

  it('rejects a cursor it did not make', () => {
    expect(() => decodeDeliveryCursor('bm9wZQ')).toThrow(ValidationError);
    expect(() => decodeDeliveryCursor(Buffer.from("seq:1' OR 1=1").toString('base64url'))).toThrow(ValidationError);
  });

  it('rejects a sequence past PostgreSQL bigint, which the query would fail on', () => {
    expect(decodeDeliveryCursor(encodeDeliveryCursor('9223372036854775807'))).toBe('9223372036854775807');
    expect(() => decodeDeliveryCursor(encodeDeliveryCursor('9223372036854775808'))).toThrow(ValidationError);
    expect(() => decodeDeliveryCursor(encodeDeliveryCursor('9999999999999999999'))).toThrow(ValidationError);
  });
});
