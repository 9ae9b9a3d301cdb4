import { randomUUID } from 'node:crypto';
import { ConcurrencyError, IllegalStateError } from '@fireline/errors';
import type { TestDatabase } from '../../../test/support/test-database';
import type { CommandMetadata } from './command-metadata';
import type { Decider } from './decider';
import { commandEventId } from './event-id';
import { EventStore } from './event-store';
import { handleCommand } from './handle-command';
import { createEventStoreDatabase, newStreamId } from './testing/event-store.testing';

type CounterCommand = { type: 'Increment'; by: number } | { type: 'IncrementTwice' } | { type: 'Noop' } | { type: 'Close' };
type CounterEvent = { type: 'Incremented'; data: { by: number } } | { type: 'Closed'; data: Record<string, never> };
type CounterState = { status: 'open'; total: number } | { status: 'closed'; total: number };

const counter: Decider<CounterCommand, CounterEvent, CounterState> = {
  initialState: () => ({ status: 'open', total: 0 }),
  decide(command, state) {
    if (state.status === 'closed') throw new IllegalStateError('COUNTER.CLOSED', 'closed');
    switch (command.type) {
      case 'Increment':
        return [{ type: 'Incremented', data: { by: command.by } }];
      case 'IncrementTwice':
        return [
          { type: 'Incremented', data: { by: 1 } },
          { type: 'Incremented', data: { by: 1 } },
        ];
      case 'Noop':
        return [];
      case 'Close':
        return [{ type: 'Closed', data: {} }];
      default: {
        const never: never = command;
        return never;
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Incremented':
        return { ...state, total: state.total + event.data.by };
      case 'Closed':
        return { status: 'closed', total: state.total };
      default: {
        const never: never = event;
        return never;
      }
    }
  },
};

function aCommandMetadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { now: new Date('2025-01-02T03:04:05.000Z'), actor: 'user:ada', correlationId: `corr-${randomUUID()}`, ...overrides };
}

describe(handleCommand.name, () => {
  let database: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    database = await createEventStoreDatabase('es_command', 12);
    store = new EventStore(database.pool);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('never decides on a state older than the version it appends after, even when the first write races', async () => {
    // "Create once": a second Created could only appear if a command saw the empty stream yet appended
    // behind a concurrent first write (stream read and version read from two different snapshots).
    type Cmd = { type: 'Create' };
    type Evt = { type: 'Created'; data: Record<string, never> };
    const createOnce: Decider<Cmd, Evt, { created: boolean }> = {
      initialState: () => ({ created: false }),
      decide: (_command, state) => (state.created ? [] : [{ type: 'Created', data: {} }]),
      evolve: () => ({ created: true }),
    };
    const streams = Array.from({ length: 30 }, () => newStreamId('create-once'));
    for (const streamId of streams) {
      await Promise.all(
        Array.from({ length: 12 }, () => handleCommand(store, createOnce, { type: 'Create' }, { streamId, streamType: 'create-once', metadata: aCommandMetadata() })),
      );
    }
    const { rows } = await database.pool.query<{ stream_id: string; n: number }>(
      `SELECT stream_id, count(*)::int AS n FROM events WHERE stream_id = ANY($1) GROUP BY stream_id`,
      [streams],
    );
    expect(rows.map((row) => row.n)).toEqual(Array(streams.length).fill(1));
  });

  it('appends the decided events with command metadata and returns the evolved state', async () => {
    const streamId = newStreamId('counter');
    const metadata = aCommandMetadata({ causationId: 'msg-1' });

    const result = await handleCommand(
      store,
      counter,
      { type: 'Increment', by: 3 },
      {
        streamId,
        streamType: 'counter',
        metadata,
        extraMetadata: { traceparent: '00-abc-def-01' },
      },
    );

    expect(result.state).toEqual({ status: 'open', total: 3 });
    expect(result.nextExpectedVersion).toBe(1);
    expect(result.newEvents.map((event) => [event.type, event.data, event.version])).toEqual([['Incremented', { by: 3 }, 1]]);
    expect(result.newEvents[0]?.metadata).toEqual({
      correlationId: metadata.correlationId,
      causationId: 'msg-1',
      actor: 'user:ada',
      occurredAt: '2025-01-02T03:04:05.000Z',
      traceparent: '00-abc-def-01',
    });
    expect((await store.readStream(streamId)).events).toEqual(result.newEvents);
  });

  it('appends nothing when decide returns no events', async () => {
    const streamId = newStreamId('counter');
    await handleCommand(store, counter, { type: 'Increment', by: 1 }, { streamId, streamType: 'counter', metadata: aCommandMetadata() });

    const result = await handleCommand(store, counter, { type: 'Noop' }, { streamId, streamType: 'counter', metadata: aCommandMetadata() });

    expect(result).toEqual({ state: { status: 'open', total: 1 }, newEvents: [], nextExpectedVersion: 1 });
    expect((await store.readStream(streamId)).currentVersion).toBe(1);
  });

  it('lands every one of 8 concurrent commands without expectedVersion by retrying', async () => {
    const streamId = newStreamId('counter');

    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        handleCommand(
          store,
          counter,
          { type: 'Increment', by: index + 1 },
          { streamId, streamType: 'counter', metadata: aCommandMetadata(), maxAttempts: 8 },
        ),
      ),
    );

    const { events, currentVersion } = await store.readStream(streamId);
    expect(currentVersion).toBe(8);
    expect(events.reduce((total, event) => total + (event.data as { by: number }).by, 0)).toBe(36);
  });

  it('rethrows ConcurrencyError when the retries are exhausted', async () => {
    const streamId = newStreamId('counter');
    // A second writer that always appends between the command's load and its append.
    const interfering = new EventStore(database.pool);
    const racingStore = Object.assign(Object.create(store) as EventStore, {
      appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
        await interfering.appendToStream(streamId, [{ type: 'Incremented', data: { by: 100 } }], {
          streamType: 'counter',
          expectedVersion: 'any',
        });
        return store.appendToStream(...args);
      },
    });

    await expect(
      handleCommand(
        racingStore,
        counter,
        { type: 'Increment', by: 1 },
        { streamId, streamType: 'counter', metadata: aCommandMetadata(), maxAttempts: 3 },
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream(streamId)).currentVersion).toBe(3);
  });

  it('rejects with ConcurrencyError before deciding when expectedVersion does not match', async () => {
    const streamId = newStreamId('counter');
    await handleCommand(store, counter, { type: 'Increment', by: 1 }, { streamId, streamType: 'counter', metadata: aCommandMetadata() });
    const decide = jest.spyOn(counter, 'decide');

    try {
      const error = await handleCommand(
        store,
        counter,
        { type: 'Increment', by: 1 },
        {
          streamId,
          streamType: 'counter',
          metadata: aCommandMetadata(),
          expectedVersion: 0,
        },
      ).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ expectedVersion: 0, actualVersion: 1 });
      expect(decide).not.toHaveBeenCalled();
    } finally {
      decide.mockRestore();
    }
    expect((await store.readStream(streamId)).currentVersion).toBe(1);
  });

  it('appends when expectedVersion matches', async () => {
    const streamId = newStreamId('counter');
    await handleCommand(store, counter, { type: 'Increment', by: 1 }, { streamId, streamType: 'counter', metadata: aCommandMetadata() });

    const result = await handleCommand(
      store,
      counter,
      { type: 'Increment', by: 2 },
      { streamId, streamType: 'counter', metadata: aCommandMetadata(), expectedVersion: 1 },
    );

    expect(result.nextExpectedVersion).toBe(2);
    expect(result.state).toEqual({ status: 'open', total: 3 });
  });

  it('appends nothing new and returns the first result when a command with the same commandId is retried', async () => {
    const streamId = newStreamId('counter');
    const metadata = aCommandMetadata({ commandId: randomUUID() });
    const first = await handleCommand(store, counter, { type: 'IncrementTwice' }, { streamId, streamType: 'counter', metadata });

    const retry = await handleCommand(store, counter, { type: 'IncrementTwice' }, { streamId, streamType: 'counter', metadata });

    expect(first.newEvents.map((event) => event.eventId)).toEqual([
      commandEventId(metadata.commandId as string, 0),
      commandEventId(metadata.commandId as string, 1),
    ]);
    expect(retry.newEvents).toEqual(first.newEvents);
    expect(retry.state).toEqual({ status: 'open', total: 2 });
    expect(retry.nextExpectedVersion).toBe(2);
    expect((await store.readStream(streamId)).currentVersion).toBe(2);
  });

  it('returns the stored events when a commandId retry would now be refused by decide', async () => {
    const streamId = newStreamId('counter');
    const metadata = aCommandMetadata({ commandId: randomUUID() });
    await handleCommand(store, counter, { type: 'Close' }, { streamId, streamType: 'counter', metadata });

    const retry = await handleCommand(store, counter, { type: 'Close' }, { streamId, streamType: 'counter', metadata });

    expect(retry.newEvents.map((event) => event.type)).toEqual(['Closed']);
    expect((await store.readStream(streamId)).currentVersion).toBe(1);
  });

  it('stores a command once when identical commandId retries race', async () => {
    const streamId = newStreamId('counter');
    const metadata = aCommandMetadata({ commandId: randomUUID() });

    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        handleCommand(store, counter, { type: 'Increment', by: 5 }, { streamId, streamType: 'counter', metadata }),
      ),
    );

    expect(new Set(results.map((result) => result.newEvents[0]?.eventId)).size).toBe(1);
    expect((await store.readStream(streamId)).currentVersion).toBe(1);
  });
});
