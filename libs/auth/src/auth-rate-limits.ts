import { RateLimitedError } from '@fireline/errors';
import type { ThrottlerStorageService } from '@nestjs/throttler';

/** The window of both limits (ms). */
export const RATE_WINDOW_MS = 60_000;
/** How long a client address that failed too often is refused (ms). */
export const AUTH_FAILURE_BLOCK_MS = 60_000;

/** Where a caller stands against its limit, for the `RateLimit-*` headers of an answer. */
export interface RateLimitStatus {
  limit: number;
  remaining: number;
  /** Seconds until the window frees requests again. */
  resetS: number;
}

/**
 * The two rate limits of authenticated routes, on `@nestjs/throttler`'s in-memory storage (so per
 * instance: N instances allow N × the limit):
 * - per credential (`key:<id>`, `user:<sub>`): `perCredentialPerMinute` requests per sliding 60 s;
 *   beyond it 429 `RATE_LIMIT.EXCEEDED` until the oldest request leaves the window;
 * - per client address, refused credentials: after `authFailuresPerMinute` of them within 60 s the
 *   address gets 429 `AUTH.TOO_MANY_FAILURES` for 60 s on every authenticated route, before its
 *   credential is even looked at (guessing keys or tokens costs a minute per batch).
 */
export class AuthRateLimits {
  constructor(
    private readonly storage: ThrottlerStorageService,
    private readonly limits: { perCredentialPerMinute: number; authFailuresPerMinute: number },
  ) {}

  /** @throws RateLimitedError `AUTH.TOO_MANY_FAILURES` while `clientAddress` is blocked (`now`: the storage's clock, `Date.now()`). */
  assertClientNotBlocked(clientAddress: string, now = Date.now()): void {
    const record = this.storage.storage.get(failureKey(clientAddress));
    if (record?.isBlocked && record.blockExpiresAt > now) {
      throw new RateLimitedError('AUTH.TOO_MANY_FAILURES', `Too many refused credentials from this address; try again in ${Math.ceil((record.blockExpiresAt - now) / 1000)} s`, {
        limit: this.limits.authFailuresPerMinute,
        resetS: Math.ceil((record.blockExpiresAt - now) / 1000),
      });
    }
  }

  /** Counts one refused credential from `clientAddress` (blocks it past the limit). */
  async recordFailure(clientAddress: string): Promise<void> {
    await this.storage.increment(failureKey(clientAddress), RATE_WINDOW_MS, this.limits.authFailuresPerMinute, AUTH_FAILURE_BLOCK_MS, 'auth-failures');
  }

  /**
   * Counts one request of `actor`.
   * @returns where it stands, for the `RateLimit-*` headers.
   * @throws RateLimitedError `RATE_LIMIT.EXCEEDED` past the limit (the refused request does not count).
   */
  async consume(actor: string): Promise<RateLimitStatus> {
    const limit = this.limits.perCredentialPerMinute;
    const record = await this.storage.increment(`credential:${actor}`, RATE_WINDOW_MS, limit, 0, 'credential');
    if (record.isBlocked) {
      throw new RateLimitedError('RATE_LIMIT.EXCEEDED', `More than ${limit} requests in 60 s with this credential`, { limit, resetS: Math.max(1, record.timeToBlockExpire) });
    }
    return { limit, remaining: Math.max(0, limit - record.totalHits), resetS: Math.max(0, record.timeToExpire) };
  }
}

function failureKey(clientAddress: string): string {
  return `auth-failure:${clientAddress}`;
}
