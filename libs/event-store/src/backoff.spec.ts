import { exponentialBackoffMs } from './backoff';

describe('exponentialBackoffMs', () => {
  it('starts at the initial delay, doubles, and stops at the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((retry) => exponentialBackoffMs(retry, { initialMs: 1000, maxMs: 10_000 }));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('reads a retry below 1 as the first, and never overflows on a huge one', () => {
    expect(exponentialBackoffMs(0, { initialMs: 50, maxMs: 30_000 })).toBe(50);
    expect(exponentialBackoffMs(-3, { initialMs: 50, maxMs: 30_000 })).toBe(50);
    expect(exponentialBackoffMs(10_000, { initialMs: 50, maxMs: 30_000 })).toBe(30_000);
  });
});
