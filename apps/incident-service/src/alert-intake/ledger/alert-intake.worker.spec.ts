import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AlertIntakeProcessor } from './alert-intake.processor';
import type { AlertIntakeRepository, AlertIntakeRow } from './alert-intake.repository';
import { AlertIntakeWorker, UNDER_PRESSURE_PACE_MS } from './alert-intake.worker';

/** A ledger of `due` rows handed out 20 per claim, and a processor that takes `processMs` per row. */
function workerOver(due: number, processMs: number) {
  const rows: AlertIntakeRow[] = Array.from({ length: due }, () => ({ id: randomUUID() }) as AlertIntakeRow);
  const processedAt: number[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let high = true;
  const intake = { claimDue: async (limit: number) => rows.splice(0, limit) } as unknown as AlertIntakeRepository;
  const processor = {
    pressure: { isHigh: () => high },
    whenQueued: () => undefined,
    recordPendingFailures: async () => undefined,
    process: async () => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await sleep(processMs);
      inFlight--;
      processedAt.push(Date.now());
      return null;
    },
  } as unknown as AlertIntakeProcessor;
  return {
    worker: new AlertIntakeWorker(intake, processor),
    processedAt,
    mostInFlight: () => mostInFlight,
    endPressure: () => void (high = false),
  };
}

describe(AlertIntakeWorker.name, () => {
  it('under pressure processes one delivery at a time at the storm pace, however cheap each is, and at full pace once it passes', async () => {
    const t = workerOver(200, 1);
    const started = Date.now();
    t.worker.onApplicationBootstrap();
    try {
      await sleep(1_000);
      const duringStorm = t.processedAt.length;
      // 1 ms each: unpaced, one lane alone would have done hundreds in that second.
      expect(duringStorm).toBeGreaterThanOrEqual(Math.floor(500 / UNDER_PRESSURE_PACE_MS)); // never paused
      expect(duringStorm).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / UNDER_PRESSURE_PACE_MS) + 1);
      expect(t.mostInFlight()).toBe(1);

      t.endPressure();
      const passedAt = Date.now();
      for (let waited = 0; t.processedAt.length < 200 && waited < 2_000; waited += 20) await sleep(20);
      expect(t.processedAt).toHaveLength(200);
      expect(Date.now() - passedAt).toBeLessThan(1_000);
      expect(t.mostInFlight()).toBe(4);
    } finally {
      await t.worker.onModuleDestroy();
    }
  });
});
