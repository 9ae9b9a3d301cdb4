import { retryAfterMsOf, StatuspageRateLimiter } from './statuspage.client';

describe(StatuspageRateLimiter.name, () => {
  function limiterWithFakeClock(intervalMs: number) {
    let now = 0;
    const starts: { key: string; at: number }[] = [];
    const limiter = new StatuspageRateLimiter(
      intervalMs,
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    const send = (key: string, takesMs: number) =>
      limiter.run(key, async () => {
        starts.push({ key, at: now });
        now += takesMs;
      });
    return { limiter, starts, send, advance: (ms: number) => (now += ms) };
  }

  it('starts requests with one key at least the interval after the previous one ended, in order', async () => {
    const { starts, send } = limiterWithFakeClock(1_000);
    await Promise.all([send('k', 300), send('k', 50), send('k', 10)]);
    expect(starts.map((s) => s.at)).toEqual([0, 1_300, 2_350]);
  });

  it('lets another key go at once, and holds a key off for a Retry-After', async () => {
    const { limiter, starts, send } = limiterWithFakeClock(1_000);
    await send('a', 0);
    await send('b', 0);
    limiter.holdOff('a', 5_000);
    await send('a', 0);
    expect(starts).toEqual([
      { key: 'a', at: 0 },
      { key: 'b', at: 0 },
      { key: 'a', at: 5_000 },
    ]);
  });

  it('frees the turn when a request fails', async () => {
    const { limiter, starts, send } = limiterWithFakeClock(100);
    await expect(limiter.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await send('k', 0);
    expect(starts).toEqual([{ key: 'k', at: 100 }]);
  });
});

describe('retryAfterMsOf', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterMsOf('2')).toBe(2_000);
    expect(retryAfterMsOf(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
    expect(retryAfterMsOf(null)).toBeNull();
    expect(retryAfterMsOf('soon')).toBeNull();
  });
});
