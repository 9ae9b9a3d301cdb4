import type { IntegrationEvent } from '@fireline/contracts';
import { classifyConsumerError } from './consumer-error.classifier';
import { describeError, parkInDeadLetters } from './dead-letter';
import { processWithInbox, type InboxOutcome } from './inbox';
import type { ConsumerRegistration } from './message-transport';

/** Attempts and backoff for one message: delay before attempt n+1 = min(maxDelayMs, baseDelayMs·2^(n-1)). */
export interface ConsumeRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_CONSUME_RETRY_POLICY: ConsumeRetryPolicy = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 2_000 };

export type ConsumeOutcome = InboxOutcome | 'dead_lettered';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Delivers one message to one consumer, the way every transport adapter does: through the inbox
 * (exactly-once effect), retrying transient failures with exponential backoff, and parking the message
 * in `dead_letters` when it fails deterministically or runs out of attempts. Never throws for a
 * handler failure, so one poison message cannot stop the partition; it throws only if the dead-letter
 * write itself fails (then the transport must not acknowledge the message).
 */
export async function consumeOnce(
  registration: ConsumerRegistration,
  event: IntegrationEvent,
  policy: ConsumeRetryPolicy = DEFAULT_CONSUME_RETRY_POLICY,
): Promise<ConsumeOutcome> {
  let lastError: unknown;
  let attempts = 0;
  while (attempts < policy.maxAttempts) {
    attempts += 1;
    try {
      return await processWithInbox(registration.pool, registration.consumer, event, (e, tx) => registration.handle(e, tx));
    } catch (error) {
      lastError = error;
      if (classifyConsumerError(error) === 'dead_letter') break;
      if (attempts < policy.maxAttempts) {
        await sleep(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1)));
      }
    }
  }
  await parkInDeadLetters(registration.pool, {
    consumer: registration.consumer,
    topic: registration.topic,
    event,
    error: describeError(lastError),
    attempts,
  });
  return 'dead_lettered';
}
