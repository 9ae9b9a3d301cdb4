/** Limits of a `MicroBatcher`. */
export interface MicroBatcherOptions {
  /** Items per call of the batch function, at most (≥ 1). */
  maxBatchSize: number;
  /** Calls of the batch function running at once, at most (≥ 1). */
  maxInFlight: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for one statement shape: `submit(item)` runs `runBatch([item, …])` together with the
 * items submitted while earlier batches were still running. An item is sent at once when fewer than
 * `maxInFlight` batches run (no added latency when quiet); otherwise it waits for the next free slot,
 * which takes up to `maxBatchSize` waiting items, oldest first. So under load one statement (one round
 * trip, one commit, one WAL flush) carries many items, and when quiet every item is its own batch.
 *
 * `runBatch` must return one result per item, in the items' order, or throw. A batch that throws is
 * retried item by item (`runBatch([item])`), so one item the database refuses fails alone and never
 * takes the others of its batch with it; unless `failsTogether(error)` says the error is not about the
 * items (an unavailable database, say), then every item of the batch gets that error at once.
 *
 * Why not DataLoader: it batches the calls of one event-loop tick and knows nothing of batches in
 * flight, which is what bounds the statements a storm sends at once.
 */
export class MicroBatcher<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private inFlight = 0;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly options: MicroBatcherOptions,
    private readonly failsTogether: (error: unknown) => boolean = () => false,
  ) {
    if (!(Number.isSafeInteger(options.maxBatchSize) && options.maxBatchSize >= 1)) throw new RangeError(`maxBatchSize must be a positive integer, got ${options.maxBatchSize}`);
    if (!(Number.isSafeInteger(options.maxInFlight) && options.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be a positive integer, got ${options.maxInFlight}`);
  }

  /** The result of `item`'s batch for it. @throws what `runBatch` threw for it (see the class). */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a free slot now (not counting those in running batches). */
  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatchSize);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.runBatch(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) throw new Error(`MicroBatcher: the batch function returned ${results.length} results for ${batch.length} items`);
      batch.forEach((waiting, index) => waiting.resolve(results[index]));
    } catch (error: unknown) {
      if (batch.length === 1 || this.failsTogether(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      // One bad item must not fail its neighbours: each alone, in order (this slot stays taken meanwhile).
      for (const waiting of batch) await this.run([waiting]);
    }
  }
}
