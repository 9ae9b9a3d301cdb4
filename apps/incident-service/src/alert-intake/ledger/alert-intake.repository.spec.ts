import { batchFailsTogether } from './alert-intake.repository';

describe(batchFailsTogether.name, () => {
  it('fails a whole batch at once when the database is away or the statement timed out', () => {
    expect(batchFailsTogether(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(batchFailsTogether(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(batchFailsTogether(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(true);
  });

  it('retries row by row when a row may be to blame', () => {
    expect(batchFailsTogether(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(batchFailsTogether(Object.assign(new Error('invalid byte sequence for encoding "UTF8"'), { code: '22021' }))).toBe(false);
    expect(batchFailsTogether(null)).toBe(false);
  });
});
