import { TargetCircuitBreakers } from './target-circuit-breakers';

/** A send's result: `ok` false counts against the target. */
interface Result {
  ok: boolean;
}

const A = 'https://a.example';
const B = 'https://b.example';
const settings = { failureThreshold: 3, halfOpenAfterMs: 30_000, probeTimeoutMs: 5_000 };

describe(TargetCircuitBreakers.name, () => {
  let breakers: TargetCircuitBreakers<Result>;
  let calls: string[];

  beforeEach(() => {
    // Only the clock is faked (cockatiel reads Date.now()); promises and timers run as usual.
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'performance'] });
    breakers = new TargetCircuitBreakers<Result>(settings, (result) => !result.ok);
    calls = [];
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const offer = (target: string, ok: boolean) =>
    breakers.send(target, async () => {
      calls.push(target);
      return { ok };
    });

  async function failTimes(target: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) expect(await offer(target, false)).toEqual({ sent: true, result: { ok: false } });
  }

  it('turns sends away, without calling them, once the threshold of consecutive failures is reached', async () => {
    await failTimes(A, 3);
    jest.setSystemTime(Date.now() + 10_000);

    expect(await offer(A, true)).toEqual({ sent: false, retryInMs: 20_000, circuit: `circuit to ${A} open after 3 consecutive failures` });
    expect(calls).toEqual([A, A, A]);
    expect(breakers.openCircuit(A)).toEqual({ retryInMs: 20_000, circuit: `circuit to ${A} open after 3 consecutive failures` });
  });

  it('does not open on failures that a success interrupted', async () => {
    await failTimes(A, 2);
    await offer(A, true);
    await failTimes(A, 2);
    expect(breakers.openCircuit(A)).toBeNull();
    expect((await offer(A, true)).sent).toBe(true);
  });

  it('keeps targets apart: an open circuit to one leaves sends to another alone', async () => {
    await failTimes(A, 3);
    expect(await offer(B, true)).toEqual({ sent: true, result: { ok: true } });
    expect(breakers.openCircuit(B)).toBeNull();
  });

  it('lets exactly one probe through after halfOpenAfterMs and turns the others offered meanwhile away', async () => {
    await failTimes(A, 3);
    jest.setSystemTime(Date.now() + 30_000);

    let finishProbe!: (result: Result) => void;
    const probe = breakers.send(A, () => new Promise<Result>((resolve) => (finishProbe = resolve)));
    const meanwhile = await offer(A, true);

    expect(meanwhile).toEqual({ sent: false, retryInMs: 5_000, circuit: `circuit to ${A} half-open: its probe is in flight` });
    expect(breakers.openCircuits()).toEqual([expect.objectContaining({ target: A, state: 'half_open' })]);
    finishProbe({ ok: true });
    expect(await probe).toEqual({ sent: true, result: { ok: true } });
    expect(breakers.openCircuits()).toEqual([]);
    expect((await offer(A, true)).sent).toBe(true);
  });

  it('opens again for another halfOpenAfterMs when the probe fails', async () => {
    await failTimes(A, 3);
    jest.setSystemTime(Date.now() + 30_000);
    expect(await offer(A, false)).toEqual({ sent: true, result: { ok: false } });

    jest.setSystemTime(Date.now() + 1_000);
    expect(await offer(A, true)).toMatchObject({ sent: false, retryInMs: 29_000 });
    expect(calls).toHaveLength(4);
  });

  it('lists open circuits, most recently opened first, up to a limit', async () => {
    await failTimes(A, 3);
    jest.setSystemTime(Date.now() + 1_000);
    await failTimes(B, 3);

    const open = breakers.openCircuits();
    expect(open.map((c) => [c.target, c.state])).toEqual([
      [B, 'open'],
      [A, 'open'],
    ]);
    expect(open[0].probeAt.getTime() - open[0].openedAt.getTime()).toBe(30_000);
    expect(breakers.openCircuits(1).map((c) => c.target)).toEqual([B]);
  });

  it('tracks at most maxTargets, forgetting the least recently used closed circuit first', async () => {
    breakers = new TargetCircuitBreakers<Result>({ ...settings, maxTargets: 2 }, (result) => !result.ok);
    await failTimes(A, 3);
    await offer(B, true);
    await offer('https://c.example', true);

    // A stayed (open), B was forgotten (closed, least recently used).
    expect(breakers.openCircuit(A)).not.toBeNull();
    await failTimes(B, 2);
    expect(breakers.openCircuit(B)).toBeNull();
  });

  it('passes a rejected send through to the caller', async () => {
    const failing = () => breakers.send(A, () => Promise.reject(new Error('boom')));
    await expect(failing()).rejects.toThrow('boom');
  });
});
