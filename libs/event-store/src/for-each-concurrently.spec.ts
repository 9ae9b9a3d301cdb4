import { forEachConcurrently } from './for-each-concurrently';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe(forEachConcurrently.name, () => {
  it('runs every item, at most `limit` at once, starting them in order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      started.push(item);
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('throws the first failure only after the items already started have finished, and starts no more', async () => {
    const finished: number[] = [];
    const outcome = forEachConcurrently([1, 2, 3, 4, 5], 2, async (item) => {
      await tick();
      if (item === 1) throw new Error('item 1 failed');
      await tick();
      finished.push(item);
    });
    await expect(outcome).rejects.toThrow('item 1 failed');
    expect(finished).toEqual([2]);
  });

  it('refuses a limit that is not a positive integer', async () => {
    await expect(forEachConcurrently([1], 0, async () => undefined)).rejects.toThrow(RangeError);
  });
});
