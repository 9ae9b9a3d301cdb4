import { PollLoop } from './poll-loop';

describe(PollLoop.name, () => {
  it('runs rounds until stopped and keeps going after a round that throws', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const loop = new PollLoop({
      intervalMs: 1,
      onError: (error) => errors.push(error),
      tick: async () => {
        rounds += 1;
        if (rounds === 2) throw new Error('database away');
      },
    });
    loop.start();
    while (rounds < 4) await new Promise((resolve) => setTimeout(resolve, 1));
    await loop.stop();
    const after = rounds;
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(errors).toEqual([new Error('database away')]);
    expect(rounds).toBe(after);
    expect(loop.isRunning).toBe(false);
  });

  it('wakes a sleeping loop on stop instead of waiting out the interval', async () => {
    let rounds = 0;
    const loop = new PollLoop({ intervalMs: 60_000, onError: () => undefined, tick: async () => void (rounds += 1) });
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    await loop.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(rounds).toBe(1);
  });

  it('runs the next round at once on wake, also when woken during a round', async () => {
    let rounds = 0;
    let release: (() => void) | null = null;
    const loop = new PollLoop({
      intervalMs: 60_000,
      onError: () => undefined,
      tick: async () => {
        rounds += 1;
        if (rounds === 2) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(rounds).toBe(1); // asleep for a minute
    loop.wake();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(rounds).toBe(2); // woken; round 2 is in progress
    loop.wake(); // work arrived during round 2
    release!();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(rounds).toBe(3); // no pause after round 2
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rounds).toBe(3); // then asleep again
    await loop.stop();
  });

  it('lets stop wait for the round in progress to finish', async () => {
    let release!: () => void;
    let finished = false;
    const loop = new PollLoop({
      intervalMs: 1,
      onError: () => undefined,
      tick: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
      },
    });
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stopping = loop.stop();
    expect(loop.isRunning).toBe(false);
    release();
    await stopping;

    expect(finished).toBe(true);
  });
});
