/** The shape of an exponential backoff: the first delay and the cap, both in ms. */
export interface ExponentialBackoff {
  initialMs: number;
  maxMs: number;
}

/**
 * The one exponential backoff of the repo's retry loops (intake rows, subscriptions, consumers,
 * maintenance timers): the delay in ms before retry number `retry` (1 = the first retry) is
 * `initialMs`, doubling each time, capped at `maxMs`; a `retry` below 1 counts as 1. No jitter: these
 * loops retry one row or page each, not a crowd of clients. (Notification deliveries keep their own
 * documented schedule with jitter: `retry-policy.ts` in notification-service.)
 */
export function exponentialBackoffMs(retry: number, backoff: ExponentialBackoff): number {
  const exponent = Math.min(Math.max(0, Math.floor(retry) - 1), 40);
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
}
