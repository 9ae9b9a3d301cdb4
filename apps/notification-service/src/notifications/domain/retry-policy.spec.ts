import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backoffCeilingMs, DEFAULT_RETRY_POLICY, equalJitterBackoffMs, formatDurationMs, retrySchedule, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { retryWindowMs: 3_600_000, baseDelayMs: 1_000, maxDelayMs: 300_000, maxAttempts: null };
const HOUR = 3_600_000;

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

describe('equalJitterBackoffMs', () => {
  it('is half the ceiling when the random source returns 0', () => {
    expect(equalJitterBackoffMs(3, policy, () => 0)).toBe(2_000);
    expect(equalJitterBackoffMs(5, policy, () => 0)).toBe(8_000);
  });

  it('approaches the ceiling when the random source approaches 1', () => {
    expect(equalJitterBackoffMs(3, policy, () => 0.999_999)).toBe(4_000);
    expect(equalJitterBackoffMs(30, policy, () => 0.999_999)).toBe(300_000);
  });

  it('scales the random half of the ceiling', () => {
    expect(equalJitterBackoffMs(3, policy, () => 0.5)).toBe(3_000);
    expect(equalJitterBackoffMs(3, policy, () => 0.25)).toBe(2_500);
  });

  it('stays within [ceiling / 2, ceiling] for any random value, even out-of-contract ones', () => {
    for (const r of [-1, 0, 0.1, 0.5, 0.9, 0.999, 1, 2, Number.NaN]) {
      for (let attempt = 1; attempt <= 12; attempt++) {
        const delay = equalJitterBackoffMs(attempt, policy, () => r);
        const ceiling = backoffCeilingMs(attempt, policy);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});

describe('retrySchedule', () => {
  it('starts at 0, never goes backwards, and keeps the earliest draw before the latest', () => {
    const rows = retrySchedule(DEFAULT_RETRY_POLICY);
    expect(rows[0]).toEqual({ attempt: 1, earliestMs: 0, latestMs: 0 });
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].attempt).toBe(i + 1);
      expect(rows[i].earliestMs).toBeGreaterThan(rows[i - 1].earliestMs);
      expect(rows[i].latestMs).toBeGreaterThanOrEqual(rows[i - 1].latestMs);
      expect(rows[i].earliestMs).toBeLessThanOrEqual(rows[i].latestMs);
    }
  });

  it('with the defaults, spans 24 h and ends with a final attempt at the window’s end, after a bounded number of attempts', () => {
    const rows = retrySchedule(DEFAULT_RETRY_POLICY);
    expect(rows[rows.length - 1]).toMatchObject({ earliestMs: 24 * HOUR, latestMs: 24 * HOUR });
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(rows.length).toBeLessThanOrEqual(70);
    // The 1 h cap: no gap between two attempts is longer.
    for (let i = 1; i < rows.length; i++) expect(rows[i].latestMs - rows[i - 1].latestMs).toBeLessThanOrEqual(HOUR);
  });

  it('stops at maxAttempts when one is set', () => {
    expect(retrySchedule({ ...policy, maxAttempts: 6 }).map((row) => row.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(retrySchedule({ ...policy, maxAttempts: 6 })[5]).toEqual({ attempt: 6, earliestMs: 15_500, latestMs: 31_000 });
  });
});

describe('formatDurationMs', () => {
  it.each([
    [86_400_000, '24 h'],
    [5_400_000, '90 min'],
    [30_000, '30 s'],
    [1_500, '1500 ms'],
    [0, '0 ms'],
  ])('formats %i as %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });
});

describe('docs/notification-deliveries.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'docs', 'notification-deliveries.md'), 'utf8');

  /** `1 h 2 min 3.5 s` as in the document's schedule table. */
  function clock(ms: number): string {
    const h = Math.floor(ms / HOUR);
    const min = Math.floor((ms % HOUR) / 60_000);
    const s = (ms % 60_000) / 1_000;
    return [h ? `${h} h` : '', min ? `${min} min` : '', s || (!h && !min) ? `${s} s` : ''].filter(Boolean).join(' ');
  }

  it('shows the default schedule as the code computes it', () => {
    for (const row of retrySchedule(DEFAULT_RETRY_POLICY)) {
      expect(doc).toContain(`| ${row.attempt} | ${clock(row.earliestMs)} | ${clock(row.latestMs)} |`);
    }
  });
});
