import { IllegalStateError } from '@fireline/errors';
import {
  classifyAttempt,
  decideManualRetry,
  transitionAfterAttempt,
  transitionAfterLeaseExpired,
  type AttemptOutcome,
} from './delivery.transitions';
import type { RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 };
const half = () => 0.5;
const response = (httpStatus: number, retryAfterMs: number | null = null): AttemptOutcome => ({ kind: 'response', httpStatus, retryAfterMs });

describe('classifyAttempt', () => {
  it.each([200, 201, 202, 204, 299])('treats HTTP %i as delivered', (status) => {
    expect(classifyAttempt(response(status))).toBe('delivered');
  });

  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %i', (status) => {
    expect(classifyAttempt(response(status))).toBe('retryable');
  });

  it.each([301, 302, 400, 401, 403, 404, 410, 422])('gives up on HTTP %i', (status) => {
    expect(classifyAttempt(response(status))).toBe('permanent');
  });

  it('retries timeouts and network errors', () => {
    expect(classifyAttempt({ kind: 'timeout', timeoutMs: 5_000 })).toBe('retryable');
    expect(classifyAttempt({ kind: 'network_error', error: 'ECONNREFUSED' })).toBe('retryable');
  });
});

describe('transitionAfterAttempt', () => {
  it('delivers on 2xx', () => {
    expect(transitionAfterAttempt(1, response(204), policy, half)).toEqual({ status: 'delivered' });
  });

  it('dead-letters a permanent failure on the first attempt', () => {
    expect(transitionAfterAttempt(1, response(400), policy, half)).toEqual({
      status: 'dead_lettered',
      lastError: 'HTTP 400 (permanent failure, not retried)',
    });
  });

  it('retries a 5xx after a jittered backoff', () => {
    expect(transitionAfterAttempt(2, response(503), policy, half)).toEqual({ status: 'retrying', delayMs: 1_000, lastError: 'HTTP 503' });
  });

  it('waits Retry-After on 429 instead of the backoff, capped at maxDelayMs', () => {
    expect(transitionAfterAttempt(1, response(429, 7_000), policy, half)).toEqual({ status: 'retrying', delayMs: 7_000, lastError: 'HTTP 429' });
    expect(transitionAfterAttempt(1, response(429, 3_600_000), policy, half)).toMatchObject({ status: 'retrying', delayMs: 60_000 });
  });

  it('retries a timeout and describes it', () => {
    expect(transitionAfterAttempt(1, { kind: 'timeout', timeoutMs: 5_000 }, policy, () => 0)).toEqual({
      status: 'retrying',
      delayMs: 0,
      lastError: 'timed out after 5000 ms',
    });
  });

  it('dead-letters with the last error when the round runs out of attempts', () => {
    expect(transitionAfterAttempt(3, { kind: 'network_error', error: 'ECONNREFUSED' }, policy, half)).toEqual({
      status: 'dead_lettered',
      lastError: 'network error: ECONNREFUSED (gave up after 3 attempts)',
    });
  });

  it('still delivers on the last attempt of a round', () => {
    expect(transitionAfterAttempt(3, response(200), policy, half)).toEqual({ status: 'delivered' });
  });
});

describe('transitionAfterLeaseExpired', () => {
  it('re-queues at once while attempts remain', () => {
    expect(transitionAfterLeaseExpired(1, policy)).toMatchObject({ status: 'retrying', delayMs: 0 });
  });

  it('dead-letters when the expired attempt was the last', () => {
    expect(transitionAfterLeaseExpired(3, policy)).toMatchObject({ status: 'dead_lettered' });
  });
});

describe('decideManualRetry', () => {
  it('re-queues a dead-lettered delivery', () => {
    expect(decideManualRetry('d-1', 'dead_lettered')).toEqual({ kind: 'requeue' });
  });

  it.each(['pending', 'sending', 'retrying'] as const)('leaves a %s delivery alone so that repeating is safe', (status) => {
    expect(decideManualRetry('d-1', status)).toEqual({ kind: 'already_queued' });
  });

  it('rejects retrying a delivered delivery', () => {
    expect(() => decideManualRetry('d-1', 'delivered')).toThrow(IllegalStateError);
  });
});
