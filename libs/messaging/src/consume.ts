import type { IntegrationEvent } from '@fireline/contracts';
import { exponentialBackoffMs, isDatabaseUnavailable } from '@fireline/event-store';
import { classifyConsumerError } from './consumer-error.classifier';
import { describeError, parkInDeadLetters } from './dead-letter';
import { processWithInbox, type InboxOutcome } from './inbox';
import type { ConsumerRegistration } from './message-transport';

/**
 * Attempts and backoff for one message: delay before attempt n+1 = min(maxDelayMs, baseDelayMs·2^(n-1)).
 * While the database is unavailable the same backoff paces the waits, which are not attempts.
 */
export interface ConsumeRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_CONSUME_RETRY_POLICY: ConsumeRetryPolicy = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2_000 };

/** How the transport lets `consumeOnce` know it is shutting down. */
export interface ConsumeOptions {
  /** True once the consumer stops: waiting for an unavailable database ends (by throwing). */
  stopping?: () => boolean;
}

export type ConsumeOutcome = InboxOutcome | 'dead_lettered';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const backoffMs = (policy: ConsumeRetryPolicy, n: number) => exponentialBackoffMs(n, { initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs });

/**
 * Delivers one message to one consumer, the way every transport adapter does: through the inbox
 * (exactly-once effect), retrying transient failures with exponential backoff, and parking the message
 * in `dead_letters` when it fails deterministically or runs out of attempts. Never throws for a
 * handler failure, so one poison message cannot stop the partition.
 *
 * While the database is unavailable (`classifyConsumerError` → `wait`) it waits, backing off up to
 * `policy.maxDelayMs`, and tries again — the handler and the dead-letter write alike — without counting
 * attempts, until the database answers or `options.stopping()` turns true.
 *
 * @throws the database's error when the consumer stops while the database is still unavailable, or
 *   when the dead-letter write fails for another reason: the transport must then not acknowledge the
 *   message (it is delivered again; the inbox drops it if its effect did commit).
 */
export async function consumeOnce(
  registration: ConsumerRegistration,
  event: IntegrationEvent,
  policy: ConsumeRetryPolicy = DEFAULT_CONSUME_RETRY_POLICY,
  options: ConsumeOptions = {},
): Promise<ConsumeOutcome> {
  let waits = 0;
  const waitForDatabase = async (error: unknown): Promise<void> => {
    if (options.stopping?.()) throw error;
    await sleep(backoffMs(policy, ++waits));
    if (options.stopping?.()) throw error;
  };
  let lastError: unknown;
  let attempts = 0;
  while (attempts < policy.maxAttempts) {
    try {
      return await processWithInbox(registration.pool, registration.consumer, event, (e, tx) => registration.handle(e, tx));
    } catch (error) {
      const verdict = classifyConsumerError(error);
      if (verdict === 'wait') {
        await waitForDatabase(error);
        continue;
      }
      attempts += 1;
      lastError = error;
      if (verdict === 'dead_letter') break;
      if (attempts < policy.maxAttempts) await sleep(backoffMs(policy, attempts));
    }
  }
  const letter = { consumer: registration.consumer, topic: registration.topic, event, error: describeError(lastError), attempts };
  for (;;) {
    try {
      await parkInDeadLetters(registration.pool, letter);
      return 'dead_lettered';
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      await waitForDatabase(error);
    }
  }
}
