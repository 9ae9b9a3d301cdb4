/** How deliveries are retried. All durations in milliseconds. */
export interface RetryPolicy {
  /** Attempts per round (a manual retry starts a new round). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

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
 * "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * a uniformly random wait in [0, ceiling], so that many failing deliveries to one receiver spread out
 * instead of retrying in lock-step. Whole milliseconds.
 */
export function fullJitterBackoffMs(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: RandomSource,
): number {
  const ceiling = backoffCeilingMs(attempt, policy);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(r * ceiling);
}
