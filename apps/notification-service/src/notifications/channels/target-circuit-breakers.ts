import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhenResult, isBrokenCircuitError, type CircuitBreakerPolicy } from 'cockatiel';

/** Breaker settings. Durations in milliseconds. */
export interface CircuitBreakerSettings {
  /** Retryable failures in a row that open a target's circuit. */
  failureThreshold: number;
  /** How long an open circuit turns sends away before it lets one probe through. */
  halfOpenAfterMs: number;
  /** How long a probe can take (the HTTP timeout): the wait given to sends turned away meanwhile. */
  probeTimeoutMs: number;
  /** Most targets tracked; beyond it the least recently used closed circuit is forgotten (default 1000). */
  maxTargets?: number;
}

/** A circuit that is not closed, as operators see it. */
export interface OpenCircuit {
  target: string;
  /** `half_open`: its probe is in flight. */
  state: 'open' | 'half_open';
  openedAt: Date;
  /** When it lets a probe through (for `half_open`, when it did). */
  probeAt: Date;
}

/** What became of a send offered to a target's circuit. `retryInMs` counts from now. */
export type GuardedSend<T> = { sent: true; result: T } | { sent: false; retryInMs: number; circuit: string };

interface Circuit {
  policy: CircuitBreakerPolicy;
  /** `Date.now()` when it last opened, null while closed. */
  openedAt: number | null;
}

/**
 * One circuit breaker per delivery target (a URL's origin), from cockatiel's `CircuitBreakerPolicy`
 * with a `ConsecutiveBreaker`: after `failureThreshold` failed sends in a row the target's circuit
 * opens and sends to it are turned away, unsent, for `halfOpenAfterMs`; then one send goes through as a
 * probe (others are turned away meanwhile) and closes the circuit on success or opens it again.
 *
 * The state lives in this process: with several instances each has its own breakers and each probes
 * a dead target once per `halfOpenAfterMs`. What the open circuit decides is shared through the queue,
 * though: the worker postpones the target's queued deliveries in the database (see
 * `DeliveryQueue.postponeTarget`), so the other instances do not claim them either.
 */
export class TargetCircuitBreakers<T> {
  private readonly circuits = new Map<string, Circuit>();
  private readonly maxTargets: number;

  /**
   * @param isFailure which results count against the target (e.g. timeouts and 5xx, not 4xx).
   * Times come from `Date.now()`, as cockatiel's own.
   */
  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly isFailure: (result: T) => boolean,
  ) {
    this.maxTargets = settings.maxTargets ?? 1_000;
  }

  /**
   * Runs `send` unless `target`'s circuit turns it away. The decision is taken synchronously, when
   * this is called (so sends offered one after another in one tick see each other: of those offered
   * when a probe is due, only the first becomes the probe). Rejections of `send` propagate.
   */
  async send(target: string, send: () => Promise<T>): Promise<GuardedSend<T>> {
    const circuit = this.circuitOf(target);
    // cockatiel queues calls behind a half-open probe; a worker slot must not wait there.
    if (circuit.policy.state === CircuitState.HalfOpen) {
      return { sent: false, retryInMs: this.settings.probeTimeoutMs, circuit: `circuit to ${target} half-open: its probe is in flight` };
    }
    try {
      return { sent: true, result: await circuit.policy.execute(send) };
    } catch (error) {
      if (!isBrokenCircuitError(error)) throw error;
      return { sent: false, retryInMs: this.probeInMs(circuit), circuit: this.describeOpen(target) };
    }
  }

  /**
   * When `target`'s circuit is open: how long until it lets a probe through and how to describe it;
   * null when it is closed or half-open.
   */
  openCircuit(target: string): { retryInMs: number; circuit: string } | null {
    const circuit = this.circuits.get(target);
    if (!circuit || circuit.policy.state !== CircuitState.Open) return null;
    return { retryInMs: this.probeInMs(circuit), circuit: this.describeOpen(target) };
  }

  /** Circuits that are open or half-open, most recently opened first, at most `limit`. */
  openCircuits(limit = Number.POSITIVE_INFINITY): OpenCircuit[] {
    const open: OpenCircuit[] = [];
    for (const [target, circuit] of this.circuits) {
      const state = circuit.policy.state;
      if (circuit.openedAt === null || (state !== CircuitState.Open && state !== CircuitState.HalfOpen)) continue;
      open.push({
        target,
        state: state === CircuitState.Open ? 'open' : 'half_open',
        openedAt: new Date(circuit.openedAt),
        probeAt: new Date(circuit.openedAt + this.settings.halfOpenAfterMs),
      });
    }
    return open.sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime()).slice(0, limit);
  }

  private describeOpen(target: string): string {
    return `circuit to ${target} open after ${this.settings.failureThreshold} consecutive failures`;
  }

  private probeInMs(circuit: Circuit): number {
    return Math.max(0, (circuit.openedAt ?? Date.now()) + this.settings.halfOpenAfterMs - Date.now());
  }

  /** The target's circuit, made on first use; kept most-recently-used last for eviction. */
  private circuitOf(target: string): Circuit {
    const known = this.circuits.get(target);
    if (known) {
      this.circuits.delete(target);
      this.circuits.set(target, known);
      return known;
    }
    if (this.circuits.size >= this.maxTargets) this.forgetOne();
    const policy = circuitBreaker(
      handleWhenResult((result) => this.isFailure(result as T)),
      { halfOpenAfter: this.settings.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.settings.failureThreshold) },
    );
    const circuit: Circuit = { policy, openedAt: null };
    policy.onBreak(() => (circuit.openedAt = Date.now()));
    policy.onReset(() => (circuit.openedAt = null));
    this.circuits.set(target, circuit);
    return circuit;
  }

  /** Forgets the least recently used closed circuit, else the least recently used one. */
  private forgetOne(): void {
    for (const [target, circuit] of this.circuits) {
      if (circuit.policy.state === CircuitState.Closed) {
        this.circuits.delete(target);
        return;
      }
    }
    const oldest = this.circuits.keys().next();
    if (!oldest.done) this.circuits.delete(oldest.value);
  }
}
