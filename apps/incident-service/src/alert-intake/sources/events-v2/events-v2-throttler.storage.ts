import type { ThrottlerStorage } from '@nestjs/throttler';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** `ThrottlerStorage`'s answer (`@nestjs/throttler`'s `ThrottlerStorageRecord`). */
interface ThrottlerRecord {
  totalHits: number;
  /** Seconds until the window ends. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a blocked key may send again (0 when not blocked). */
  timeToBlockExpire: number;
}

/**
 * `@nestjs/throttler` storage on `rate-limiter-flexible`'s in-memory fixed windows: O(1) per request.
 * (The throttler's own `ThrottlerStorageService` keeps one timestamp per hit and filters the whole list
 * on every request: with a limit of 6,000 a minute, an alert storm paid for thousands of comparisons and
 * a new array per delivery.) Fixed window of `ttl` ms from a key's first hit; past `limit` the key is
 * blocked for `blockDuration` ms. In memory, per instance.
 */
export class EventsV2ThrottlerStorage implements ThrottlerStorage {
  private readonly limiters = new Map<string, RateLimiterMemory>();

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerRecord> {
    const limiter = this.limiterFor(throttlerName, ttl, limit, blockDuration);
    try {
      const result = await limiter.consume(key);
      return { totalHits: result.consumedPoints, timeToExpire: Math.ceil(result.msBeforeNext / 1000), isBlocked: false, timeToBlockExpire: 0 };
    } catch (refused: unknown) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      const seconds = Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
      return { totalHits: refused.consumedPoints, timeToExpire: seconds, isBlocked: true, timeToBlockExpire: seconds };
    }
  }

  private limiterFor(throttlerName: string, ttlMs: number, limit: number, blockDurationMs: number): RateLimiterMemory {
    const id = `${throttlerName}:${ttlMs}:${limit}:${blockDurationMs}`;
    let limiter = this.limiters.get(id);
    if (limiter === undefined) {
      limiter = new RateLimiterMemory({ points: limit, duration: Math.max(1, Math.ceil(ttlMs / 1000)), blockDuration: Math.max(0, Math.ceil(blockDurationMs / 1000)) });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
