import { exponentialBackoffMs } from './backoff';
import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '@fireline/errors';
import type { CommandMetadata } from './command-metadata';
import { type Decider, foldEvents } from './decider';
import { commandEventId } from './event-id';
import type { EventStore } from './event-store';
import type { EventMetadata, NewEvent, RecordedEvent } from './event-store.types';

/** Options of `handleCommand`. */
export interface HandleCommandOptions {
  streamId: string;
  streamType: string;
  metadata: CommandMetadata;
  /** The version the client saw (HTTP `If-Match`): one attempt, no retry. */
  expectedVersion?: number;
  /** Attempts when `expectedVersion` is not given (default 5). */
  maxAttempts?: number;
  /** Merged over the metadata derived from `metadata` (so it may add e.g. `traceparent`, or override). */
  extraMetadata?: EventMetadata;
}

/** What `handleCommand` resolves with. */
export interface HandleCommandResult<State> {
  /** The state after the new events (or after the stored ones, on an idempotent retry). */
  state: State;
  /** The events this command appended (on an idempotent retry: the ones it appended the first time). */
  newEvents: RecordedEvent[];
  /** The stream's version after the command. */
  nextExpectedVersion: number;
}

const DEFAULT_MAX_ATTEMPTS = 10;

/** Before retry n (1, 2, …): a random wait of 2 ms up to 10 ms · 2^(n−1), capped at 200 ms (full jitter). */
function backoff(retry: number): Promise<void> {
  const ms = 2 + Math.floor(Math.random() * exponentialBackoffMs(retry, { initialMs: 10, maxMs: 200 }));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function asEvent<Event>(recorded: RecordedEvent): Event {
  return { type: recorded.type, data: recorded.data } as Event;
}

/**
 * The shared command path: load the stream, fold it with `decider`, `decide`, append the new events
 * with the loaded version as expected version.
 *
 * - With `options.expectedVersion`: one attempt; the loaded version must equal it (checked before
 *   deciding), and the append is guarded by it.
 * - Without: a `ConcurrencyError` reloads and decides again, up to `maxAttempts` (default 10) with
 *   a random backoff growing from ≤ 12 ms to ≤ 202 ms (about a second in all), then the last
 *   `ConcurrencyError` is rethrown. (With 5 attempts of 2–20 ms, one of 11 concurrent writers on one
 *   incident sometimes lost every attempt on a loaded machine and got a 409.)
 * - Event ids: `commandEventId(metadata.commandId, i)` when `commandId` is set, else random. When the
 *   loaded stream already holds the command's first event id, the command is a retry: nothing is
 *   decided or appended and the stored events are returned.
 * - Event metadata: `{ correlationId, causationId, actor, occurredAt: now.toISOString(), commandId }`
 *   then `extraMetadata`. A numeric `schemaVersion` property on a decided event is stored as such.
 * - `decide` returning `[]` appends nothing.
 *
 * @throws ConcurrencyError on a version mismatch (see above).
 * @throws whatever `decide` throws (a `DomainError`), and the store's errors.
 */
export async function handleCommand<Command, Event extends { type: string; data: unknown }, State>(
  store: EventStore,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: HandleCommandOptions,
): Promise<HandleCommandResult<State>> {
  const { streamId, streamType, metadata, expectedVersion } = options;
  const maxAttempts = expectedVersion !== undefined ? 1 : Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const baseMetadata: EventMetadata = {
    correlationId: metadata.correlationId,
    causationId: metadata.causationId ?? null,
    actor: metadata.actor,
    occurredAt: metadata.now.toISOString(),
    ...(metadata.commandId !== undefined ? { commandId: metadata.commandId } : {}),
    ...options.extraMetadata,
  };

  for (let attempt = 1; ; attempt++) {
    const { events: stored, currentVersion } = await store.readStream(streamId);
    if (expectedVersion !== undefined && currentVersion !== expectedVersion) {
      throw new ConcurrencyError(streamId, expectedVersion, currentVersion);
    }
    if (metadata.commandId !== undefined) {
      const previous = eventsOfCommand(stored, metadata.commandId);
      if (previous.length > 0) {
        return { state: foldEvents(decider, stored.map(asEvent<Event>)), newEvents: previous, nextExpectedVersion: currentVersion };
      }
    }
    const state = foldEvents(decider, stored.map(asEvent<Event>));
    const decided = decider.decide(command, state);
    if (decided.length === 0) return { state, newEvents: [], nextExpectedVersion: currentVersion };

    const newEvents: NewEvent[] = decided.map((event, index) => {
      const schemaVersion = (event as { schemaVersion?: unknown }).schemaVersion;
      return {
        type: event.type,
        data: event.data,
        eventId: metadata.commandId !== undefined ? commandEventId(metadata.commandId, index) : randomUUID(),
        ...(typeof schemaVersion === 'number' ? { schemaVersion } : {}),
        metadata: baseMetadata,
      };
    });
    try {
      const result = await store.appendToStream(streamId, newEvents, { streamType, expectedVersion: currentVersion });
      if (result.alreadyAppended) {
        // A concurrent identical command won: report what it stored, on the state it produced.
        const reloaded = await store.readStream(streamId);
        return {
          state: foldEvents(decider, reloaded.events.map(asEvent<Event>)),
          newEvents: result.recorded,
          nextExpectedVersion: reloaded.currentVersion,
        };
      }
      let after = state;
      for (const event of decided) after = decider.evolve(after, event);
      return { state: after, newEvents: result.recorded, nextExpectedVersion: result.nextExpectedVersion };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
      await backoff(attempt);
    }
  }
}

/** The stored events whose ids derive from `commandId` (indexes 0, 1, … while they are found). */
function eventsOfCommand(stored: RecordedEvent[], commandId: string): RecordedEvent[] {
  const byId = new Map(stored.map((event) => [event.eventId, event]));
  const found: RecordedEvent[] = [];
  for (let index = 0; ; index++) {
    const event = byId.get(commandEventId(commandId, index));
    if (!event) return found;
    found.push(event);
  }
}
