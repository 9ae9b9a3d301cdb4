import { isDatabaseUnavailable } from '@fireline/event-store';
import { Logger } from '@nestjs/common';
import type { OutboundDestinationGuard } from '../../outbound/outbound-destination.guard';
import { classifyAttempt, notSentBecause, transitionAfterAttempt, transitionWhenCircuitOpen, type DeliveryTransition } from '../domain/delivery.transitions';
import type { RandomSource, RetryPolicy } from '../domain/retry-policy';
import type { QueuedEmail } from '../../status-pages/domain/subscription-email';
import type { ClaimedDelivery, DeliveryQueue } from './delivery-queue';
import { sendOutboundRequest, type AttemptReport } from './http.sender';
import { buildOutboundRequest } from './outbound-request';
import type { SmtpMailer } from './smtp.mailer';
import { TargetCircuitBreakers, type CircuitBreakerSettings } from './target-circuit-breakers';

/**
 * The delivery worker's breakers: one per target origin (the SMTP server's for email); timeouts,
 * network errors, 408, 429 and 5xx count against it. An SMTP server's 4yz reply does not: it concerns
 * one recipient (greylisting, a full mailbox), not the server.
 */
export type DeliveryCircuitBreakers = TargetCircuitBreakers<AttemptReport>;

/** Breakers for the delivery worker; `probeTimeoutMs` is the per-attempt HTTP timeout. */
export function deliveryCircuitBreakers(settings: CircuitBreakerSettings): DeliveryCircuitBreakers {
  return new TargetCircuitBreakers<AttemptReport>(settings, (report) => report.outcome.kind !== 'smtp_reply' && classifyAttempt(report.outcome) === 'retryable');
}

/** `last_error` of a delivery dropped because its subscriber unsubscribed after it was queued. */
export const SUBSCRIBER_GONE = 'not sent: the subscriber unsubscribed';

/** Worker settings. Durations in milliseconds. */
export interface DeliveryWorkerOptions {
  policy: RetryPolicy;
  /** Per-attempt HTTP timeout (connect + response + excerpt). */
  timeoutMs: number;
  /** Wait between polls when there is nothing due. */
  pollIntervalMs: number;
  /** Most sends in flight at once, in this process. */
  concurrency: number;
  /** How long a claim holds a delivery; default `2 · timeoutMs + 10 s`. */
  leaseMs?: number;
  /** Per-target circuit breakers (shared with whatever reports their state). */
  circuitBreakers: DeliveryCircuitBreakers;
  /** The SSRF guard every request goes through (URL check, then the addresses actually dialled). */
  outbound: OutboundDestinationGuard;
  /** Sends `email` deliveries; absent or null when no SMTP server is configured (they are then dead-lettered). */
  mailer?: SmtpMailer | null;
  random?: RandomSource;
  clock?: () => Date;
}

/** Poll interval while the database is unavailable (ms), if `pollIntervalMs` is shorter. */
const UNAVAILABLE_POLL_MS = 500;
/** Backoff between tries to record an attempt while the database is unavailable (ms): doubling, capped. */
const RECORD_RETRY_FIRST_MS = 100;
const RECORD_RETRY_MAX_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls the delivery queue and sends due deliveries, at most `concurrency` at a time. Each attempt is
 * logged and the delivery moved on by the pure `transitionAfterAttempt`. Sends go through the target's
 * circuit breaker: while it is open a claimed delivery is put back unsent (no attempt counted) and the
 * target's other queued deliveries are postponed until its probe, so a dead receiver holds no worker
 * slots. `stop()` stops claiming and waits for the sends in flight, so no claimed delivery is left to
 * its lease on a clean shutdown.
 *
 * While the database is unavailable it keeps polling (every 500 ms at least, logging the outage once)
 * and resumes by itself. An attempt whose outcome cannot be recorded because the database went away
 * after the send keeps trying to record it until the database answers (or `stop()`), so the receiver is
 * not sent the same delivery again when the lease runs out, and the outage costs the delivery no attempt.
 */
export class DeliveryWorker {
  private readonly logger = new Logger(DeliveryWorker.name);
  /** Sends in flight by delivery id: this worker's own sweep leaves them alone. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly leaseMs: number;
  private readonly random: RandomSource;
  private readonly clock: () => Date;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.leaseMs = options.leaseMs ?? options.timeoutMs * 2 + 10_000;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? (() => new Date());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling and resolves when every send in flight has been recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * One poll: sweep expired leases, claim up to the free slots, start sending them.
   * @returns how many deliveries were claimed.
   */
  async pollOnce(): Promise<number> {
    const free = this.options.concurrency - this.inFlight.size;
    await this.queue.sweepExpiredLeases(this.options.policy, Math.max(free, 1) * 4, [...this.inFlight.keys()]);
    const claimed = await this.queue.claimDue(free, this.leaseMs);
    for (const delivery of claimed) {
      const send = this.attempt(delivery).finally(() => {
        this.inFlight.delete(delivery.id);
        this.wake?.();
      });
      this.inFlight.set(delivery.id, send);
    }
    return claimed.length;
  }

  private async run(): Promise<void> {
    let unavailable = false;
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.pollOnce();
        if (unavailable) this.logger.log('Delivery worker reaches the database again');
        unavailable = false;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!isDatabaseUnavailable(error)) this.logger.error(`Delivery poll failed: ${message}`);
        else if (!unavailable) this.logger.warn(`Delivery poll: database unavailable (${message}); polling on`);
        unavailable = isDatabaseUnavailable(error);
      }
      if (!this.running) break;
      const full = this.inFlight.size >= this.options.concurrency;
      const pollMs = unavailable ? Math.max(this.options.pollIntervalMs, UNAVAILABLE_POLL_MS) : this.options.pollIntervalMs;
      if (claimed === 0 || full) await this.idle(full ? null : pollMs);
    }
  }

  /** Waits `ms` (or, when null, until a slot frees), returning early on stop or a finished send. */
  private idle(ms: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === null ? null : setTimeout(done, ms);
      const wake = () => done();
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.wake = wake;
    }).then(() => {
      this.wake = null;
    });
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    try {
      if (delivery.subscriberGone) {
        await this.queue.dropUnsent(delivery, SUBSCRIBER_GONE);
        return;
      }
      let send: () => Promise<AttemptReport>;
      try {
        if (delivery.unreadable !== null) throw new Error(delivery.unreadable);
        send = this.sender(delivery);
      } catch (error) {
        // The request could not even be built (the rule lost its secret, it cannot be decrypted with the
        // configured keys, no SMTP server): retrying will not help. Once fixed, a manual or bulk retry resends it.
        const message = error instanceof Error ? error.message : String(error);
        const report: AttemptReport = { startedAt: this.clock(), durationMs: 0, outcome: { kind: 'network_error', error: message }, responseExcerpt: null };
        await this.record(delivery, report, { status: 'dead_lettered', lastError: message });
        return;
      }
      // Called before the first await: the breaker decides in claim order (one probe per half-open).
      const guarded = await this.options.circuitBreakers.send(delivery.targetOrigin, send);
      if (!guarded.sent) {
        const transition = transitionWhenCircuitOpen(delivery.elapsedInRoundMs, guarded.retryInMs, guarded.circuit, this.options.policy);
        await this.queue.releaseUnsent(delivery, transition);
        if (transition.status === 'queued') await this.queue.postponeTarget(delivery.targetOrigin, guarded.retryInMs, transition.lastError);
        return;
      }
      const report = guarded.result;
      const progress = { attemptInRound: delivery.attemptInRound, elapsedMs: delivery.elapsedInRoundMs + report.durationMs };
      const transition = transitionAfterAttempt(progress, report.outcome, this.options.policy, this.random);
      await this.record(delivery, report, transition);
      // A failure that opened the circuit (or came back after one beside it did): hold the target's queue back until the probe.
      const open = classifyAttempt(report.outcome) === 'retryable' ? this.options.circuitBreakers.openCircuit(delivery.targetOrigin) : null;
      if (open) await this.queue.postponeTarget(delivery.targetOrigin, open.retryInMs, notSentBecause(open.circuit));
    } catch (error) {
      // Recording failed for good (or the worker stopped meanwhile): the lease will expire and the delivery be retried.
      this.logger.error(`Recording delivery ${delivery.id} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * How to make this delivery's attempt: an email over SMTP, else an HTTP POST through the outbound guard.
   * @throws Error when it cannot be made (no SMTP server for an email, a webhook without a secret).
   */
  private sender(delivery: ClaimedDelivery): () => Promise<AttemptReport> {
    if (delivery.channelType === 'email') {
      const mailer = this.options.mailer;
      if (!mailer) throw new Error('email is not configured: set SMTP_URL or SMTP_HOST (and SMTP_FROM)');
      const email = JSON.parse(delivery.payload) as QueuedEmail;
      return () => mailer.send({ deliveryId: delivery.id, email }, this.clock);
    }
    const request = buildOutboundRequest({ ...delivery, channelType: delivery.channelType }, this.clock());
    return () => sendOutboundRequest(request, this.options.timeoutMs, this.options.outbound, this.clock);
  }

  /** `recordAttempt`, tried again while the database is unavailable and the worker runs. */
  private async record(delivery: ClaimedDelivery, report: AttemptReport, transition: DeliveryTransition): Promise<void> {
    for (let waitMs = RECORD_RETRY_FIRST_MS; ; waitMs = Math.min(RECORD_RETRY_MAX_MS, waitMs * 2)) {
      try {
        const held = await this.queue.recordAttempt(delivery, report, transition);
        if (!held) this.logger.warn(`Delivery ${delivery.id} attempt ${delivery.attemptNo} finished after its lease was swept`);
        return;
      } catch (error) {
        if (!isDatabaseUnavailable(error) || !this.running) throw error;
        await sleep(waitMs);
      }
    }
  }
}
