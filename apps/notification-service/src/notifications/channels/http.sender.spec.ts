import { parseRetryAfterMs } from './http.sender';

describe('parseRetryAfterMs', () => {
  const now = new Date('2025-11-21T09:00:00.000Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfterMs('Fri, 21 Nov 2025 09:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Fri, 21 Nov 2025 08:00:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unparseable header', () => {
    expect(parseRetryAfterMs(null, now)).toBeNull();
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs('-5', now)).toBeNull();
  });
});
