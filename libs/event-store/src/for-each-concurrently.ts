/**
 * Runs `work` over `items`, at most `limit` at a time, taking them in order. Waits for every started
 * item even when one fails, then throws the first failure (so nothing runs on after the caller has
 * moved on, e.g. rolled back the page that listed the items).
 * @throws the first error `work` threw; RangeError when `limit` is not a positive integer.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let next = 0;
  let failed: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failed === null && next < items.length) {
      try {
        await work(items[next++] as T);
      } catch (error: unknown) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failed !== null) throw (failed as { error: unknown }).error;
}
