import { ValidationError } from '@fireline/errors';
import { decodeCursor } from './list-incidents.query';

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const id = '0f5d8a39-5b0e-4c1e-9d0a-0c1f5e2a7b61';

describe('incident list cursor', () => {
  it('decodes what the list returns: an ISO timestamp and an id', () => {
    expect(decodeCursor(cursorOf(['2026-11-21T10:00:00.000Z', id]))).toEqual(['2026-11-21T10:00:00.000Z', id]);
  });

  it.each([
    ['a date PostgreSQL cannot read', ['0', id]],
    ['a date past the calendar', ['2026-02-30T10:00:00.000Z', id]],
    ['an extended-year date', ['+275760-09-13T00:00:00.000Z', id]],
    ['dashes for an id', ['2026-11-21T10:00:00.000Z', '-'.repeat(36)]],
    ['numbers', [1, 2]],
    ['an object', { declaredAt: '2026-11-21T10:00:00.000Z', id }],
  ])('rejects %s with REQUEST.INVALID_CURSOR instead of passing it to SQL', (_name, value) => {
    expect(() => decodeCursor(cursorOf(value))).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID_CURSOR' }));
    expect(() => decodeCursor(cursorOf(value))).toThrow(ValidationError);
  });
});
