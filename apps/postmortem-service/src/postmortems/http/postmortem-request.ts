import type { CommandMetadata } from '@fireline/event-store';
import type { RequestContext } from '@fireline/http';
import type { Clock } from '../application/clock';

/** Command metadata of an HTTP request: actor from the credential, correlation id from its header, time from the service clock. */
export function commandMetadataOf(context: RequestContext, clock: Clock): CommandMetadata {
  return { now: clock.now(), actor: context.actor, correlationId: context.correlationId };
}

/** Copies the keys whose value is not `undefined` (DTO instances carry absent optional keys as undefined). */
export function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
