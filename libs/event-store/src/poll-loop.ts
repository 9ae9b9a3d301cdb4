/** What a {@link PollLoop} runs, and how often. */
export interface PollLoopOptions {
  /** One round of work (e.g. "fire every due timer"); its result is ignored. */
  tick: () => Promise<unknown>;
  /** Pause after each round, ms. */
  intervalMs: number;
  /** Called with what a round threw; the loop goes on after the pause. */
  onError: (error: unknown) => void;
}

/**
 * A background poller: runs `tick`, sleeps `intervalMs`, again, until {@link stop}. The shape shared
 * by Fireline's durable timers (maintenance start/end, silent-alert expiry), which keep their state in
 * tables and only need to look again now and then. A round that throws goes to `onError` and does not
 * end the loop (the next round retries); `stop()` wakes a sleeping loop at once and resolves once the
 * round in progress has finished, so a module can close its pool after it. Plain TypeScript, no timers
 * left behind after `stop()`.
 */
export class PollLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private interrupt: (() => void) | null = null;
  private wakeRequested = false;

  constructor(private readonly options: PollLoopOptions) {}

  /** True from {@link start} until {@link stop}: a long round can check it to end early. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the loop (the first round at once). Starting a running loop does nothing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Runs the next round now: ends the pause if the loop is asleep, or skips the next pause if a round is
   * in progress (so work that arrived during a round is not left for a whole interval).
   */
  wake(): void {
    if (!this.running) return;
    this.wakeRequested = true;
    this.interrupt?.();
  }

  /** Stops the loop: wakes it if asleep, resolves when the current round has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.interrupt?.();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.options.tick();
      } catch (error: unknown) {
        this.options.onError(error);
      }
      if (!this.running) return;
      if (this.wakeRequested) {
        this.wakeRequested = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.intervalMs);
        this.interrupt = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.interrupt = null;
      this.wakeRequested = false;
    }
  }
}
