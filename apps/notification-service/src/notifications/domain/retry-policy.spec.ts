import { backoffCeilingMs, fullJitterBackoffMs, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 300_000 };

describe('backoffCeilingMs', () => {
  it('doubles from the base delay per attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffCeilingMs(attempt, policy))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('is capped at maxDelayMs and never decreases', () => {
    const ceilings = Array.from({ length: 60 }, (_, i) => backoffCeilingMs(i + 1, policy));
    for (let i = 1; i < ceilings.length; i++) expect(ceilings[i]).toBeGreaterThanOrEqual(ceilings[i - 1]);
    expect(Math.max(...ceilings)).toBe(300_000);
    expect(backoffCeilingMs(2_000, policy)).toBe(300_000);
  });
});

describe('fullJitterBackoffMs', () => {
  it('is 0 when the random source returns 0', () => {
    expect(fullJitterBackoffMs(5, policy, () => 0)).toBe(0);
  });

  it('approaches the ceiling when the random source approaches 1', () => {
    expect(fullJitterBackoffMs(3, policy, () => 0.999_999)).toBe(4_000);
    expect(fullJitterBackoffMs(30, policy, () => 0.999_999)).toBe(300_000);
  });

  it('scales the ceiling by the random value', () => {
    expect(fullJitterBackoffMs(3, policy, () => 0.25)).toBe(1_000);
    expect(fullJitterBackoffMs(3, policy, () => 0.5)).toBe(2_000);
  });

  it('stays within [0, ceiling] for any random value, even out-of-contract ones', () => {
    for (const r of [-1, 0, 0.1, 0.5, 0.9, 0.999, 1, 2]) {
      for (let attempt = 1; attempt <= 12; attempt++) {
        const delay = fullJitterBackoffMs(attempt, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(backoffCeilingMs(attempt, policy));
      }
    }
  });
});
