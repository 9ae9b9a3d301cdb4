import { DomainError } from '@fireline/errors';
import { isDatabaseUnavailable } from '@fireline/event-store';

/**
 * - `wait`: the database is unavailable (`isDatabaseUnavailable`); the message is fine. Wait and try
 *   again for as long as it takes (not an attempt: an outage must never dead-letter good messages).
 * - `retry`: may be transient; counts as an attempt, dead-lettered when the attempts run out.
 * - `dead_letter`: deterministic; the same message will fail the same way.
 */
export type ConsumerErrorVerdict = 'wait' | 'retry' | 'dead_letter';

/**
 * The one place that decides what a consumer failure means for the message. Database unavailability
 * (refused or lost connection, terminated backend, no connection in time) is waited out. A
 * `DomainError` other than a concurrency conflict is deterministic: dead-lettered at once. Everything
 * else (timeouts, conflicts, bugs that may be transient) is retried, and dead-lettered only when the
 * attempts run out.
 */
export function classifyConsumerError(error: unknown): ConsumerErrorVerdict {
  if (isDatabaseUnavailable(error)) return 'wait';
  if (error instanceof DomainError && error.kind !== 'concurrency') return 'dead_letter';
  return 'retry';
}
