/** When the intake counts as under pressure; see `IntakePressure`. */
export interface IntakePressureLimits {
  /** More deliveries than this being admitted at once (senders waiting on each other). */
  inFlight: number;
  /** More deliveries than this arriving within one second (counted from the first of the second). */
  arrivalsPerSecond: number;
  /** How long the pressure holds after the last delivery that exceeded a limit, ms. */
  holdMs: number;
}

const SECOND_MS = 1_000;

/**
 * Whether the intake is under pressure — an alert storm: more deliveries being admitted at once than
 * `limits.inFlight`, or more arriving within a second than `limits.arrivalsPerSecond`, now or within
 * the last `limits.holdMs`. While it is, processing gives way to intake (see
 * `AlertIntakeProcessor.admit` and `AlertIntakeWorker`): the storm is first recorded and answered, its
 * incidents opened at a bounded pace meanwhile and at full pace once it has passed. Plain TypeScript;
 * `now` (ms since the epoch) is injected for tests.
 */
export class IntakePressure {
  private inFlight = 0;
  private windowStart = Number.NEGATIVE_INFINITY;
  private arrivalsInWindow = 0;
  private highUntil = Number.NEGATIVE_INFINITY;

  /** @throws RangeError when a limit is not a positive integer or `holdMs` is negative. */
  constructor(private readonly limits: IntakePressureLimits) {
    for (const key of ['inFlight', 'arrivalsPerSecond'] as const) {
      if (!Number.isInteger(limits[key]) || limits[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${limits[key]}`);
    }
    if (!(limits.holdMs >= 0)) throw new RangeError(`holdMs must be >= 0, got ${limits.holdMs}`);
  }

  /** A delivery arrives and starts being admitted. */
  enter(now: number = Date.now()): void {
    this.inFlight++;
    if (now - this.windowStart >= SECOND_MS) {
      this.windowStart = now;
      this.arrivalsInWindow = 0;
    }
    this.arrivalsInWindow++;
    if (this.inFlight > this.limits.inFlight || this.arrivalsInWindow > this.limits.arrivalsPerSecond)
      this.highUntil = now + this.limits.holdMs;
  }

  /** A delivery has been admitted (recorded, and processed if it was processed in its request). */
  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  /** True while a limit is exceeded, and for `holdMs` after the last delivery that exceeded one. */
  isHigh(now: number = Date.now()): boolean {
    return this.inFlight > this.limits.inFlight || now < this.highUntil;
  }

  /** Deliveries being admitted now. */
  get admitting(): number {
    return this.inFlight;
  }
}
