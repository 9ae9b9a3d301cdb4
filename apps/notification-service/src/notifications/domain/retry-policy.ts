/**
 * How deliveries are retried. All durations in milliseconds.
 *
 * A round (a delivery's life from being queued, or from a manual retry) keeps retrying retryable
 * failures until `retryWindowMs` has passed since its first attempt, waiting a capped exponential
 * backoff with jitter between attempts; the last wait is cut short so that one final attempt falls at
 * the window's end. `maxAttempts`, when set, ends a round earlier.
 */
export interface RetryPolicy {
  /** How long a round keeps retrying, counted from its first attempt (default 24 h). */
  retryWindowMs: number;
  /** The backoff's first ceiling: the wait after attempt n is at most min(maxDelayMs, baseDelayMs · 2^(n-1)) (default 1 s). */
  baseDelayMs: number;
  /** The backoff's cap, also the most a `Retry-After` is waited (default 1 h). */
  maxDelayMs: number;
  /** Attempts per round before giving up regardless of the window; null = the window alone decides (default). */
  maxAttempts: number | null;
}

/**
 * The defaults: retry for 24 hours (PagerDuty's webhooks retry for 48 h; Stripe's for 3 days), backoff
 * from 1 s doubling to a 1 h cap. See `docs/notification-deliveries.md` for the schedule this gives.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  retryWindowMs: 24 * 3_600_000,
  baseDelayMs: 1_000,
  maxDelayMs: 3_600_000,
  maxAttempts: null,
});

/** A source of uniform random numbers in [0, 1), injectable so that tests can pin the jitter. */
export type RandomSource = () => number;

/**
 * The upper bound of the wait after failed attempt `attempt` (1-based): `min(maxDelayMs,
 * baseDelayMs · 2^(attempt-1))`. Non-decreasing in `attempt` and never above `maxDelayMs`.
 */
export function backoffCeilingMs(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/**
 * "Equal jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * half the ceiling plus a uniformly random part of the other half, i.e. a wait in
 * [ceiling / 2, ceiling]. The random half spreads many failing deliveries to one receiver apart; the
 * fixed half keeps any draw from retrying at once, so the number of attempts in a window is bounded
 * (see `retrySchedule`). Whole milliseconds.
 */
export function equalJitterBackoffMs(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: RandomSource): number {
  const ceiling = backoffCeilingMs(attempt, policy);
  const drawn = random();
  const r = drawn >= 0 ? Math.min(drawn, 1) : 0; // also NaN
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}

/** When attempt `attempt` of a round happens, in ms after the round's first attempt. */
export interface ScheduledAttempt {
  attempt: number;
  /** Every jitter draw at its minimum. */
  earliestMs: number;
  /** Every jitter draw at its maximum. */
  latestMs: number;
}

/**
 * The attempts a round makes against a receiver that keeps failing at once without `Retry-After`:
 * when each happens at the earliest and the latest, up to the final attempt at the window's end (or
 * the `maxAttempts`-th). Time spent inside attempts (up to the HTTP timeout each) only moves the
 * middle attempts later; the final one stays at the window's end.
 */
export function retrySchedule(policy: RetryPolicy): ScheduledAttempt[] {
  const rows: ScheduledAttempt[] = [{ attempt: 1, earliestMs: 0, latestMs: 0 }];
  for (;;) {
    const last = rows[rows.length - 1];
    if (last.earliestMs >= policy.retryWindowMs) return rows;
    if (policy.maxAttempts !== null && last.attempt >= policy.maxAttempts) return rows;
    rows.push({
      attempt: last.attempt + 1,
      earliestMs: Math.min(policy.retryWindowMs, last.earliestMs + equalJitterBackoffMs(last.attempt, policy, () => 0)),
      latestMs: Math.min(policy.retryWindowMs, last.latestMs + equalJitterBackoffMs(last.attempt, policy, () => 1)),
    });
  }
}

/** `24 h`, `90 min`, `30 s`, `250 ms`: the largest whole unit, for error messages and docs. */
export function formatDurationMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000 && ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}
