import { DomainError } from '@fireline/errors';

export type ConsumerErrorVerdict = 'retry' | 'dead_letter';

/**
 * The one place that decides what a consumer failure means for the message. A `DomainError` other than
 * a concurrency conflict is deterministic: the same message will fail the same way, so it is
 * dead-lettered at once. Everything else (connection loss, timeouts, conflicts, bugs that may be
 * transient) is retried, and dead-lettered only when the attempts run out.
 */
export function classifyConsumerError(error: unknown): ConsumerErrorVerdict {
  if (error instanceof DomainError && error.kind !== 'concurrency') return 'dead_letter';
  return 'retry';
}
