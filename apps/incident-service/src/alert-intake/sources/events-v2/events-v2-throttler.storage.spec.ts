import { EventsV2ThrottlerStorage } from './events-v2-throttler.storage';

describe(EventsV2ThrottlerStorage.name, () => {
  it('counts hits per key in a fixed window and blocks the key past the limit, for the block duration', async () => {
    const storage = new EventsV2ThrottlerStorage();
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await storage.increment('routing-key:a', 60_000, 3, 30_000, 'default'));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(hits[0].timeToExpire).toBeGreaterThan(55);
    expect(hits[0].timeToExpire).toBeLessThanOrEqual(60);
    expect(hits[3].timeToBlockExpire).toBeGreaterThan(25);
    expect(hits[3].timeToBlockExpire).toBeLessThanOrEqual(30);
    // Another key has its own window.
    expect(await storage.increment('routing-key:b', 60_000, 3, 30_000, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps limits of different sizes apart', async () => {
    const storage = new EventsV2ThrottlerStorage();
    await storage.increment('k', 60_000, 1, 60_000, 'default');
    expect(await storage.increment('k', 60_000, 1, 60_000, 'default')).toMatchObject({ isBlocked: true });
    expect(await storage.increment('k', 60_000, 10, 60_000, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});
