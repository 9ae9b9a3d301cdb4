import { IllegalStateError } from '@fireline/errors';
import { fullJitterBackoffMs, type RandomSource, type RetryPolicy } from './retry-policy';

/**
 * A delivery's lifecycle:
 *
 *   pending ──claim──▶ sending ──2xx──▶ delivered
 *                       │  ▲
 *     retryable failure │  │ claim when due
 *                       ▼  │
 *                     retrying ──(attempts exhausted)──▶ dead_lettered ──manual retry──▶ pending
 *
 * `sending` carries a lease; a worker that dies mid-send leaves it to expire, and the delivery is
 * re-queued (or dead-lettered if that was the round's last attempt). A permanent failure (4xx other
 * than 408/429, or a redirect) dead-letters at once.
 */
export type DeliveryStatus = 'pending' | 'sending' | 'retrying' | 'delivered' | 'dead_lettered';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'sending', 'retrying', 'delivered', 'dead_lettered'];

/** What one HTTP attempt came to. `retryAfterMs` is the response's `Retry-After`, when it had one. */
export type AttemptOutcome =
  | { kind: 'response'; httpStatus: number; retryAfterMs: number | null }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'network_error'; error: string };

export type AttemptVerdict = 'delivered' | 'retryable' | 'permanent';

/**
 * 2xx delivered; 408, 429 and 5xx, timeouts and network errors are worth retrying; any other status
 * (other 4xx, and 1xx/3xx since redirects are not followed with a signed body) will not get better.
 */
export function classifyAttempt(outcome: AttemptOutcome): AttemptVerdict {
  switch (outcome.kind) {
    case 'timeout':
    case 'network_error':
      return 'retryable';
    case 'response': {
      const status = outcome.httpStatus;
      if (status >= 200 && status < 300) return 'delivered';
      if (status === 408 || status === 429 || status >= 500) return 'retryable';
      return 'permanent';
    }
    default: {
      const exhaustive: never = outcome;
      return exhaustive;
    }
  }
}

/** A short human-readable description for `last_error` and the attempt log. */
export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `HTTP ${outcome.httpStatus}`;
    case 'timeout':
      return `timed out after ${outcome.timeoutMs} ms`;
    case 'network_error':
      return `network error: ${outcome.error}`;
    default: {
      const exhaustive: never = outcome;
      return exhaustive;
    }
  }
}

/** Where a delivery goes after an attempt or an expired lease. `delayMs` counts from now. */
export type DeliveryTransition =
  | { status: 'delivered' }
  | { status: 'retrying'; delayMs: number; lastError: string }
  | { status: 'dead_lettered'; lastError: string };

/**
 * The next state after attempt number `attemptInRound` (1-based, counted since the delivery was
 * created or last manually re-queued) ended with `outcome`. A retryable failure waits the response's
 * `Retry-After` when it sent one (capped at `maxDelayMs`), else a full-jitter backoff.
 */
export function transitionAfterAttempt(
  attemptInRound: number,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  random: RandomSource,
): DeliveryTransition {
  const verdict = classifyAttempt(outcome);
  const description = describeOutcome(outcome);
  switch (verdict) {
    case 'delivered':
      return { status: 'delivered' };
    case 'permanent':
      return { status: 'dead_lettered', lastError: `${description} (permanent failure, not retried)` };
    case 'retryable': {
      if (attemptInRound >= policy.maxAttempts) {
        return { status: 'dead_lettered', lastError: `${description} (gave up after ${attemptInRound} attempts)` };
      }
      const retryAfterMs = outcome.kind === 'response' ? outcome.retryAfterMs : null;
      const delayMs =
        retryAfterMs !== null ? Math.min(policy.maxDelayMs, retryAfterMs) : fullJitterBackoffMs(attemptInRound, policy, random);
      return { status: 'retrying', delayMs, lastError: description };
    }
    default: {
      const exhaustive: never = verdict;
      return exhaustive;
    }
  }
}

/**
 * The next state of a delivery whose `sending` lease ran out (its worker crashed or hung): the
 * attempt counts, its outcome is unknown, so it is retried at once unless it was the round's last.
 */
export function transitionAfterLeaseExpired(attemptInRound: number, policy: RetryPolicy): DeliveryTransition {
  const lastError = 'lease expired before the attempt was recorded (worker stopped mid-send)';
  if (attemptInRound >= policy.maxAttempts) {
    return { status: 'dead_lettered', lastError: `${lastError} (gave up after ${attemptInRound} attempts)` };
  }
  return { status: 'retrying', delayMs: 0, lastError };
}

export type ManualRetryDecision = { kind: 'requeue' } | { kind: 'already_queued' };

/**
 * `POST /v1/deliveries/{id}/retry`: a dead-lettered delivery is re-queued with a fresh round of
 * attempts; one that is already queued or being sent is left alone, so the call is safe to repeat.
 * @throws IllegalStateError `DELIVERY.ALREADY_DELIVERED` for a delivered one.
 */
export function decideManualRetry(deliveryId: string, status: DeliveryStatus): ManualRetryDecision {
  switch (status) {
    case 'dead_lettered':
      return { kind: 'requeue' };
    case 'pending':
    case 'sending':
    case 'retrying':
      return { kind: 'already_queued' };
    case 'delivered':
      throw new IllegalStateError('DELIVERY.ALREADY_DELIVERED', `Delivery ${deliveryId} was already delivered`, { deliveryId });
    default: {
      const exhaustive: never = status;
      return exhaustive;
    }
  }
}
