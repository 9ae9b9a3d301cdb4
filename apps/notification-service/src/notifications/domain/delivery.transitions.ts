import { IllegalStateError } from '@fireline/errors';
import { equalJitterBackoffMs, formatDurationMs, type RandomSource, type RetryPolicy } from './retry-policy';

/**
 * A delivery's lifecycle:
 *
 *   pending ──claim──▶ sending ──2xx──▶ delivered
 *                       │  ▲
 *     retryable failure │  │ claim when due
 *                       ▼  │
 *                     retrying ──(retry window passed, or attempt cap)──▶ dead_lettered
 *                                                                            │
 *   pending ◀──────────────── manual or bulk retry: a new round ────────────┘
 *
 *   sending ──target's circuit open──▶ pending / retrying (not sent; no attempt counted)
 *
 * A round (from being queued, or from a manual retry) retries until `RetryPolicy.retryWindowMs` has
 * passed since its first attempt. `sending` carries a lease; a worker that dies mid-send leaves it to
 * expire, and the delivery is re-queued (or dead-lettered if the round is over). A permanent failure
 * (4xx other than 408/429, or a redirect) dead-letters at once.
 */
export type DeliveryStatus = 'pending' | 'sending' | 'retrying' | 'delivered' | 'dead_lettered';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'sending', 'retrying', 'delivered', 'dead_lettered'];

/**
 * What one attempt came to. `retryAfterMs` is an HTTP response's `Retry-After`, when it had one;
 * `smtp_reply` is the SMTP server's answer to an email (`code` 250, 451, 550, … and its text).
 */
export type AttemptOutcome =
  | { kind: 'response'; httpStatus: number; retryAfterMs: number | null }
  | { kind: 'smtp_reply'; code: number; message: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'network_error'; error: string }
  /** The outbound policy refused the destination before any connection was made (see `OutboundDestinationGuard`). */
  | { kind: 'refused'; reason: string };

export type AttemptVerdict = 'delivered' | 'retryable' | 'permanent';

/**
 * 2xx delivered; 408, 429 and 5xx, timeouts and network errors are worth retrying; any other status
 * (other 4xx, and 1xx/3xx since redirects are not followed with a signed body) will not get better,
 * and neither will a destination the outbound policy refuses. SMTP replies (RFC 5321 §4.2.1): 2yz
 * delivered, 4yz a transient failure (retried), 5yz permanent (a recipient the server rejects).
 */
export function classifyAttempt(outcome: AttemptOutcome): AttemptVerdict {
  switch (outcome.kind) {
    case 'timeout':
    case 'network_error':
      return 'retryable';
    case 'refused':
      return 'permanent';
    case 'smtp_reply':
      if (outcome.code >= 200 && outcome.code < 300) return 'delivered';
      return outcome.code >= 400 && outcome.code < 500 ? 'retryable' : 'permanent';
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
      return outcome.httpStatus >= 300 && outcome.httpStatus < 400 ? `HTTP ${outcome.httpStatus} (redirect not followed)` : `HTTP ${outcome.httpStatus}`;
    case 'timeout':
      return `timed out after ${outcome.timeoutMs} ms`;
    case 'network_error':
      return `network error: ${outcome.error}`;
    case 'refused':
      return `destination refused by the outbound policy: ${outcome.reason}`;
    case 'smtp_reply':
      return `SMTP ${outcome.code}${outcome.message === '' ? '' : ` ${outcome.message.slice(0, 200)}`}`;
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

/** Where a delivery stands in its round when an attempt ends (or its lease or a circuit stops it). */
export interface RoundProgress {
  /** 1-based number of the attempt within the round (since queued or manually re-queued). */
  attemptInRound: number;
  /** Milliseconds from the round's first attempt until now. */
  elapsedMs: number;
}

/** Why the round is over, or null while it may retry: the attempt cap, else the retry window. */
function roundOverReason(progress: RoundProgress, policy: RetryPolicy): string | null {
  const attempts = `${progress.attemptInRound} attempt${progress.attemptInRound === 1 ? '' : 's'}`;
  if (policy.maxAttempts !== null && progress.attemptInRound >= policy.maxAttempts) return `gave up after ${attempts}`;
  if (progress.elapsedMs >= policy.retryWindowMs) return `gave up after ${attempts}: retry window of ${formatDurationMs(policy.retryWindowMs)} passed`;
  return null;
}

/** A wait that ends no later than the window's end, so that the round's final attempt falls on it. */
function withinWindow(delayMs: number, progress: RoundProgress, policy: RetryPolicy): number {
  return Math.max(0, Math.min(delayMs, policy.retryWindowMs - progress.elapsedMs));
}

/**
 * The next state after an attempt ended with `outcome`. A retryable failure waits the response's
 * `Retry-After` when it sent one (capped at `maxDelayMs`), else an equal-jitter backoff; either is cut
 * short at the retry window's end. Once the window has passed (or `maxAttempts` is reached) a
 * retryable failure dead-letters.
 */
export function transitionAfterAttempt(progress: RoundProgress, outcome: AttemptOutcome, policy: RetryPolicy, random: RandomSource): DeliveryTransition {
  const verdict = classifyAttempt(outcome);
  const description = describeOutcome(outcome);
  switch (verdict) {
    case 'delivered':
      return { status: 'delivered' };
    case 'permanent':
      return { status: 'dead_lettered', lastError: `${description} (permanent failure, not retried)` };
    case 'retryable': {
      const over = roundOverReason(progress, policy);
      if (over !== null) return { status: 'dead_lettered', lastError: `${description} (${over})` };
      const retryAfterMs = outcome.kind === 'response' ? outcome.retryAfterMs : null;
      const wantedMs = retryAfterMs !== null ? Math.min(policy.maxDelayMs, retryAfterMs) : equalJitterBackoffMs(progress.attemptInRound, policy, random);
      return { status: 'retrying', delayMs: withinWindow(wantedMs, progress, policy), lastError: description };
    }
    default: {
      const exhaustive: never = verdict;
      return exhaustive;
    }
  }
}

/**
 * The next state of a delivery whose `sending` lease ran out (its worker crashed or hung): the
 * attempt counts, its outcome is unknown, so it is retried at once unless the round is over.
 */
export function transitionAfterLeaseExpired(progress: RoundProgress, policy: RetryPolicy): DeliveryTransition {
  const lastError = 'lease expired before the attempt was recorded (worker stopped mid-send)';
  const over = roundOverReason(progress, policy);
  if (over !== null) return { status: 'dead_lettered', lastError: `${lastError} (${over})` };
  return { status: 'retrying', delayMs: 0, lastError };
}

/** What becomes of a claimed delivery that was not sent because its target's circuit is open. */
export type UnsentTransition = { status: 'queued'; delayMs: number; lastError: string } | { status: 'dead_lettered'; lastError: string };

/**
 * A delivery claimed while its target's circuit breaker is open is not sent and no attempt is
 * counted: it waits until the breaker lets a probe through (`reopensInMs`), cut short at the retry
 * window's end. Once the window has passed it is dead-lettered without a further attempt.
 * @param circuit describes the open circuit, e.g. `circuit to https://hooks.example.com open after 5 failures`.
 */
export function transitionWhenCircuitOpen(elapsedMs: number, reopensInMs: number, circuit: string, policy: RetryPolicy): UnsentTransition {
  if (elapsedMs >= policy.retryWindowMs) {
    return { status: 'dead_lettered', lastError: `${notSentBecause(circuit)} (gave up: retry window of ${formatDurationMs(policy.retryWindowMs)} passed)` };
  }
  const delayMs = Math.max(0, Math.min(reopensInMs, policy.retryWindowMs - elapsedMs));
  return { status: 'queued', delayMs, lastError: notSentBecause(circuit) };
}

/** `last_error` of a delivery held back, unsent, by its target's open circuit. */
export function notSentBecause(circuit: string): string {
  return `not sent: ${circuit}`;
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
