import { MicroBatcher } from './micro-batcher';

/** A batch function whose calls are held until released, recording each batch it was given. */
function heldBatches() {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  const run = (items: number[]): Promise<number[]> => {
    batches.push(items);
    return new Promise((resolve) => releases.push(() => resolve(items.map((item) => item * 10))));
  };
  const releaseAll = async (): Promise<void> => {
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { batches, run, releaseAll };
}

describe(MicroBatcher.name, () => {
  it('sends each item at once, alone, while batches are free', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher(async (items: number[]) => (batches.push(items), items.map((item) => item + 1)), { maxBatchSize: 50, maxInFlight: 2 });

    expect(await batcher.submit(1)).toBe(2);
    expect(await batcher.submit(2)).toBe(3);
    expect(batches).toEqual([[1], [2]]);
  });

  it('gathers the items submitted while every slot is taken into the next batch, in order, each getting its own result', async () => {
    const held = heldBatches();
    const batcher = new MicroBatcher(held.run, { maxBatchSize: 50, maxInFlight: 1 });

    const results = [1, 2, 3, 4, 5].map((item) => batcher.submit(item));
    expect(held.batches).toEqual([[1]]);
    expect(batcher.queued).toBe(4);
    await held.releaseAll();

    expect(held.batches).toEqual([[1], [2, 3, 4, 5]]);
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
  });

  it('never runs more batches at once than maxInFlight, nor more items in one than maxBatchSize', async () => {
    let running = 0;
    let mostRunning = 0;
    const sizes: number[] = [];
    const batcher = new MicroBatcher(
      async (items: number[]) => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        sizes.push(items.length);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
        return items;
      },
      { maxBatchSize: 3, maxInFlight: 2 },
    );

    const results = await Promise.all(Array.from({ length: 20 }, (_, item) => batcher.submit(item)));

    expect(results).toEqual(Array.from({ length: 20 }, (_, item) => item));
    expect(mostRunning).toBe(2);
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(20);
  });

  it('retries a failed batch item by item, so only the item the batch function refuses fails', async () => {
    const batches: string[][] = [];
    const batcher = new MicroBatcher(
      async (items: string[]) => {
        batches.push(items);
        if (items.includes('bad')) throw new Error('invalid input syntax');
        return items.map((item) => item.toUpperCase());
      },
      { maxBatchSize: 10, maxInFlight: 1 },
    );

    const first = batcher.submit('first');
    const rest = ['a', 'bad', 'b'].map((item) => batcher.submit(item).then((value) => ({ value }), (error: Error) => ({ error: error.message })));

    expect(await first).toBe('FIRST');
    expect(await Promise.all(rest)).toEqual([{ value: 'A' }, { error: 'invalid input syntax' }, { value: 'B' }]);
    expect(batches).toEqual([['first'], ['a', 'bad', 'b'], ['a'], ['bad'], ['b']]);
  });

  it('fails every item of a batch at once, without retries, on an error that is not about the items', async () => {
    let calls = 0;
    const unavailable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const batcher = new MicroBatcher(
      async (items: number[]) => {
        calls++;
        if (items.length > 1) throw unavailable;
        return items;
      },
      { maxBatchSize: 10, maxInFlight: 1 },
      (error) => (error as { code?: string }).code === 'ECONNREFUSED',
    );

    const outcomes = [1, 2, 3].map((item) => batcher.submit(item).then(() => 'ok', (error: Error) => error.message));

    expect(await Promise.all(outcomes)).toEqual(['ok', 'connect ECONNREFUSED', 'connect ECONNREFUSED']);
    expect(calls).toBe(2);
  });

  it('treats a batch function that returns the wrong number of results as failed, item by item', async () => {
    const batcher = new MicroBatcher(async (items: number[]) => (items.length > 1 ? [0] : items), { maxBatchSize: 10, maxInFlight: 1 });

    const results = [1, 2, 3].map((item) => batcher.submit(item));

    expect(await Promise.all(results)).toEqual([1, 2, 3]);
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => new MicroBatcher(async (items: number[]) => items, { maxBatchSize: 0, maxInFlight: 1 })).toThrow(RangeError);
    expect(() => new MicroBatcher(async (items: number[]) => items, { maxBatchSize: 1, maxInFlight: 1.5 })).toThrow(RangeError);
  });
});
