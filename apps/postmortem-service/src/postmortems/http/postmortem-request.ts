import { ValidationError } from '@fireline/errors';
import type { CommandMetadata } from '@fireline/event-store';
import type { RequestContext } from '@fireline/http';
import { ParseUUIDPipe } from '@nestjs/common';
import type { Clock } from '../application/clock';

/** Path ids must be UUIDs: anything else is a 400 problem (`REQUEST.INVALID_ID`), never a lookup. */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new ValidationError('REQUEST.INVALID_ID', `${name} must be a UUID`, [{ field: name, message: 'must be a UUID' }]),
  });
}

/** Command metadata of an HTTP request: actor and correlation id from headers, time from the service clock. */
export function commandMetadataOf(context: RequestContext, clock: Clock): CommandMetadata {
  return { now: clock.now(), actor: context.actor, correlationId: context.correlationId };
}

/** Copies the keys whose value is not `undefined` (DTO instances carry absent optional keys as undefined). */
export function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
