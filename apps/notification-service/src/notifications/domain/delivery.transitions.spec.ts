import { IllegalStateError } from '@fireline/errors';
import {
  classifyAttempt,
  decideManualRetry,
  transitionAfterAttempt,
  transitionAfterLeaseExpired,
  transitionWhenCircuitOpen,
  type AttemptOutcome,
  type DeliveryTransition,
} from './delivery.transitions';
import { DEFAULT_RETRY_POLICY, type RandomSource, type RetryPolicy } from './retry-policy';

const HOUR = 3_600_000;
const policy: RetryPolicy = { retryWindowMs: HOUR, baseDelayMs: 1_000, maxDelayMs: 60_000, maxAttempts: null };
const capped: RetryPolicy = { ...policy, maxAttempts: 3 };
const half = () => 0.5;
/** Attempt `attemptInRound`, ending `elapsedMs` after the round's first attempt began. */
const at = (attemptInRound: number, elapsedMs = 0) => ({ attemptInRound, elapsedMs });
const response = (httpStatus: number, retryAfterMs: number | null = null): AttemptOutcome => ({ kind: 'response', httpStatus, retryAfterMs });
const refused: AttemptOutcome = { kind: 'network_error', error: 'ECONNREFUSED' };

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

  it('classifies SMTP replies: 2yz delivered, 4yz retried, 5yz permanent', () => {
    expect(classifyAttempt({ kind: 'smtp_reply', code: 250, message: '250 OK' })).toBe('delivered');
    expect(classifyAttempt({ kind: 'smtp_reply', code: 451, message: '451 greylisted' })).toBe('retryable');
    expect(classifyAttempt({ kind: 'smtp_reply', code: 421, message: '421 closing' })).toBe('retryable');
    expect(classifyAttempt({ kind: 'smtp_reply', code: 550, message: '550 no such user' })).toBe('permanent');
    expect(classifyAttempt({ kind: 'smtp_reply', code: 0, message: '' })).toBe('permanent');
  });

  it('retries timeouts and network errors', () => {
    expect(classifyAttempt({ kind: 'timeout', timeoutMs: 5_000 })).toBe('retryable');
    expect(classifyAttempt({ kind: 'network_error', error: 'ECONNREFUSED' })).toBe('retryable');
  });
});

describe('transitionAfterAttempt', () => {
  it('delivers on 2xx', () => {
    expect(transitionAfterAttempt(at(1), response(204), policy, half)).toEqual({ status: 'delivered' });
  });

  it('dead-letters a permanent failure on the first attempt', () => {
    expect(transitionAfterAttempt(at(1), response(400), policy, half)).toEqual({
      status: 'dead_lettered',
      lastError: 'HTTP 400 (permanent failure, not retried)',
    });
  });

  it('retries a 5xx after a jittered backoff', () => {
    expect(transitionAfterAttempt(at(2), response(503), policy, half)).toEqual({ status: 'retrying', delayMs: 1_500, lastError: 'HTTP 503' });
  });

  it('waits Retry-After instead of the backoff, capped at maxDelayMs', () => {
    expect(transitionAfterAttempt(at(1), response(429, 7_000), policy, half)).toEqual({ status: 'retrying', delayMs: 7_000, lastError: 'HTTP 429' });
    expect(transitionAfterAttempt(at(1), response(503, 3_600_000), policy, half)).toMatchObject({ status: 'retrying', delayMs: 60_000 });
  });

  it('retries a timeout and describes it', () => {
    expect(transitionAfterAttempt(at(1), { kind: 'timeout', timeoutMs: 5_000 }, policy, () => 0)).toEqual({
      status: 'retrying',
      delayMs: 500,
      lastError: 'timed out after 5000 ms',
    });
  });

  it('cuts the wait short at the retry window’s end, so that the final attempt falls on it', () => {
    expect(transitionAfterAttempt(at(30, HOUR - 10_000), refused, policy, half)).toMatchObject({ status: 'retrying', delayMs: 10_000 });
    expect(transitionAfterAttempt(at(30, HOUR - 1), response(429, 60_000), policy, half)).toMatchObject({ status: 'retrying', delayMs: 1 });
  });

  it('dead-letters a retryable failure once the retry window has passed', () => {
    expect(transitionAfterAttempt(at(31, HOUR), refused, policy, half)).toEqual({
      status: 'dead_lettered',
      lastError: 'network error: ECONNREFUSED (gave up after 31 attempts: retry window of 1 h passed)',
    });
  });

  it('dead-letters with the last error when maxAttempts is set and reached, whatever the window', () => {
    expect(transitionAfterAttempt(at(3, 1_000), refused, capped, half)).toEqual({
      status: 'dead_lettered',
      lastError: 'network error: ECONNREFUSED (gave up after 3 attempts)',
    });
    expect(transitionAfterAttempt(at(2, 1_000), refused, capped, half)).toMatchObject({ status: 'retrying' });
  });

  it('still delivers on the last attempt of a round', () => {
    expect(transitionAfterAttempt(at(3, 2 * HOUR), response(200), capped, half)).toEqual({ status: 'delivered' });
  });
});

describe('the default retry policy against a receiver that is down', () => {
  /**
   * Plays one round against a receiver that fails every attempt, each attempt taking `attemptMs`
   * (0: connection refused; 5 000: the default HTTP timeout). Returns when it was dead-lettered,
   * counted from the round's first attempt, and after how many attempts.
   */
  function playRound(random: RandomSource, attemptMs: number): { attempts: number; deadLetteredAtMs: number; lastError: string; longestGapMs: number } {
    let now = 0;
    let longestGapMs = 0;
    for (let attempt = 1; attempt <= 10_000; attempt++) {
      now += attemptMs;
      const transition: DeliveryTransition = transitionAfterAttempt(at(attempt, now), refused, DEFAULT_RETRY_POLICY, random);
      if (transition.status === 'dead_lettered') return { attempts: attempt, deadLetteredAtMs: now, lastError: transition.lastError, longestGapMs };
      if (transition.status !== 'retrying') throw new Error(`unexpected ${transition.status}`);
      longestGapMs = Math.max(longestGapMs, transition.delayMs);
      now += transition.delayMs;
    }
    throw new Error('the round never ended');
  }

  let seed = 42;
  const seeded: RandomSource = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let flip = 0;
  const alternating: RandomSource = () => (flip++ % 2 === 0 ? 0 : 0.999_999);
  const draws: [string, RandomSource][] = [
    ['every draw at its minimum', () => 0],
    ['every draw at its maximum', () => 0.999_999],
    ['draws alternating between minimum and maximum', alternating],
    ['seeded pseudo-random draws', seeded],
  ];

  describe.each([
    ['refused at once', 0],
    ['timing out after 5 s', 5_000],
  ])('(attempts %s)', (_name, attemptMs) => {
    it.each(draws)('does not dead-letter before 24 h, and does once they have passed, with %s', (_draw, random) => {
      const round = playRound(random, attemptMs);
      expect(round.deadLetteredAtMs).toBeGreaterThanOrEqual(24 * HOUR);
      // The final attempt starts at the window's end: dead-lettered as soon as it has failed.
      expect(round.deadLetteredAtMs).toBeLessThanOrEqual(24 * HOUR + attemptMs);
      expect(round.lastError).toBe(`network error: ECONNREFUSED (gave up after ${round.attempts} attempts: retry window of 24 h passed)`);
      expect(round.attempts).toBeGreaterThanOrEqual(20);
      expect(round.attempts).toBeLessThanOrEqual(70);
      expect(round.longestGapMs).toBeLessThanOrEqual(HOUR);
    });
  });
});

describe('transitionAfterLeaseExpired', () => {
  it('re-queues at once while the round lasts', () => {
    expect(transitionAfterLeaseExpired(at(1, 5_000), policy)).toMatchObject({ status: 'retrying', delayMs: 0 });
  });

  it('dead-letters when the retry window has passed', () => {
    expect(transitionAfterLeaseExpired(at(12, HOUR + 1), policy)).toEqual({
      status: 'dead_lettered',
      lastError: 'lease expired before the attempt was recorded (worker stopped mid-send) (gave up after 12 attempts: retry window of 1 h passed)',
    });
  });

  it('dead-letters when the expired attempt was the last one maxAttempts allows', () => {
    expect(transitionAfterLeaseExpired(at(3), capped)).toMatchObject({ status: 'dead_lettered' });
  });
});

describe('transitionWhenCircuitOpen', () => {
  const circuit = 'circuit to https://hooks.example.com open after 5 consecutive failures';

  it('puts the delivery back, unsent, until the breaker lets a probe through', () => {
    expect(transitionWhenCircuitOpen(60_000, 30_000, circuit, policy)).toEqual({ status: 'queued', delayMs: 30_000, lastError: `not sent: ${circuit}` });
  });

  it('waits no longer than the retry window’s end', () => {
    expect(transitionWhenCircuitOpen(HOUR - 5_000, 30_000, circuit, policy)).toMatchObject({ status: 'queued', delayMs: 5_000 });
  });

  it('dead-letters without another attempt once the retry window has passed', () => {
    expect(transitionWhenCircuitOpen(HOUR, 30_000, circuit, policy)).toEqual({
      status: 'dead_lettered',
      lastError: `not sent: ${circuit} (gave up: retry window of 1 h passed)`,
    });
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
