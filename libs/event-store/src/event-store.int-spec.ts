import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { ConcurrencyError, IdempotencyKeyReusedError, ValidationError } from '@fireline/errors';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { EVENT_STORE_MIGRATIONS } from './create-event-store.migration';
import { EventStore } from './event-store';
import { START_CHECKPOINT, type Upcaster } from './event-store.types';
import { anEvent, createEventStoreDatabase, newStreamId, someEvents } from './testing/event-store.testing';

describe(EventStore.name, () => {
  let database: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    database = await createEventStoreDatabase('es_store', 16);
    store = new EventStore(database.pool);
  });

  afterAll(async () => {
    await database.drop();
  });

  describe('appendToStream / readStream', () => {
    it('stores a batch as versions 1..n and reads it back in order', async () => {
      const streamId = newStreamId();
      const events = someEvents(3, { metadata: { correlationId: 'c-1', actor: 'user:1' } });

      const result = await store.appendToStream(streamId, events, { streamType: 'thing', expectedVersion: 'no_stream' });

      expect(result.alreadyAppended).toBe(false);
      expect(result.nextExpectedVersion).toBe(3);
      expect(result.recorded.map((event) => event.version)).toEqual([1, 2, 3]);
      const read = await store.readStream(streamId);
      expect(read.currentVersion).toBe(3);
      expect(read.events).toEqual(result.recorded);
      expect(read.events.map((event) => [event.eventId, event.type, event.data, event.schemaVersion, event.streamType])).toEqual(
        events.map((event) => [event.eventId, 'ThingHappened', event.data, 1, 'thing']),
      );
      expect(read.events[0]?.metadata).toEqual({ correlationId: 'c-1', actor: 'user:1' });
      expect(typeof read.events[0]?.globalPosition).toBe('string');
      expect(typeof read.events[0]?.transactionId).toBe('string');
      expect(read.events[0]?.recordedAt).toBeInstanceOf(Date);
    });

    it('returns no events and version 0 when the stream does not exist', async () => {
      await expect(store.readStream(newStreamId())).resolves.toEqual({ events: [], currentVersion: 0 });
    });

    it('reads a version range and still reports the current version', async () => {
      const streamId = newStreamId();
      await store.appendToStream(streamId, someEvents(5), { streamType: 'thing', expectedVersion: 0 });

      const middle = await store.readStream(streamId, { fromVersion: 2, toVersion: 4 });
      const beyond = await store.readStream(streamId, { fromVersion: 9 });

      expect(middle.events.map((event) => event.version)).toEqual([2, 3, 4]);
      expect(middle.currentVersion).toBe(5);
      expect(beyond).toEqual({ events: [], currentVersion: 5 });
    });

    it('appends when the exact expected version matches and continues the numbering', async () => {
      const streamId = newStreamId();
      const first = await store.appendToStream(streamId, someEvents(2), { streamType: 'thing', expectedVersion: 0 });
      const second = await store.appendToStream(streamId, someEvents(2), {
        streamType: 'thing',
        expectedVersion: first.nextExpectedVersion,
      });

      expect(second.recorded.map((event) => event.version)).toEqual([3, 4]);
      expect(second.nextExpectedVersion).toBe(4);
    });

    it('rejects with ConcurrencyError when the exact expected version is stale', async () => {
      const streamId = newStreamId();
      await store.appendToStream(streamId, someEvents(3), { streamType: 'thing', expectedVersion: 0 });

      const error = await store
        .appendToStream(streamId, someEvents(1), { streamType: 'thing', expectedVersion: 2 })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ code: 'STREAM.WRONG_EXPECTED_VERSION', streamId, expectedVersion: 2, actualVersion: 3 });
      expect((await store.readStream(streamId)).currentVersion).toBe(3);
    });

    it('rejects no_stream (and 0) when the stream exists, and stream_exists when it does not', async () => {
      const existing = newStreamId();
      await store.appendToStream(existing, someEvents(1), { streamType: 'thing', expectedVersion: 'no_stream' });
      const missing = newStreamId();

      await expect(
        store.appendToStream(existing, someEvents(1), { streamType: 'thing', expectedVersion: 'no_stream' }),
      ).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store.appendToStream(existing, someEvents(1), { streamType: 'thing', expectedVersion: 0 })).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
      await expect(
        store.appendToStream(missing, someEvents(1), { streamType: 'thing', expectedVersion: 'stream_exists' }),
      ).rejects.toMatchObject({
        actualVersion: 0,
      });
      expect((await store.readStream(missing)).currentVersion).toBe(0);
    });

    it('appends with stream_exists when the stream exists and with any in every case', async () => {
      const streamId = newStreamId();
      const fresh = await store.appendToStream(streamId, someEvents(1), { streamType: 'thing', expectedVersion: 'any' });
      const existing = await store.appendToStream(streamId, someEvents(1), { streamType: 'thing', expectedVersion: 'stream_exists' });
      const again = await store.appendToStream(streamId, someEvents(2), { streamType: 'thing', expectedVersion: 'any' });

      expect([fresh.nextExpectedVersion, existing.nextExpectedVersion, again.nextExpectedVersion]).toEqual([1, 2, 4]);
    });

    it('checks the expectation but stores nothing when the batch is empty', async () => {
      const streamId = newStreamId();
      await expect(store.appendToStream(streamId, [], { streamType: 'thing', expectedVersion: 0 })).resolves.toEqual({
        nextExpectedVersion: 0,
        recorded: [],
        alreadyAppended: false,
      });
      await expect(store.appendToStream(streamId, [], { streamType: 'thing', expectedVersion: 'stream_exists' })).rejects.toBeInstanceOf(
        ConcurrencyError,
      );
    });

    it('rejects with ValidationError when an event id is not a UUID or repeats within the batch', async () => {
      const id = randomUUID();
      await expect(
        store.appendToStream(newStreamId(), [anEvent({ eventId: 'nope' })], { streamType: 'thing', expectedVersion: 'any' }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        store.appendToStream(newStreamId(), [anEvent({ eventId: id }), anEvent({ eventId: id })], {
          streamType: 'thing',
          expectedVersion: 'any',
        }),
      ).rejects.toBeInstanceOf(ValidationError);
    });

    it('writes inside the caller transaction and stores nothing when it rolls back', async () => {
      const streamId = newStreamId();
      const client = await database.pool.connect();
      try {
        await client.query('BEGIN');
        await store.appendToStream(streamId, someEvents(2), { streamType: 'thing', expectedVersion: 0, client });
        expect((await store.readStream(streamId, { client })).currentVersion).toBe(2);
        expect((await store.readStream(streamId)).currentVersion).toBe(0);
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      expect((await store.readStream(streamId)).currentVersion).toBe(0);
    });
  });

  describe('racing appends', () => {
    it('rejects all but one of 10 concurrent appends with the same expected version', async () => {
      const streamId = newStreamId();
      await store.appendToStream(streamId, someEvents(1), { streamType: 'thing', expectedVersion: 0 });
      const batches = Array.from({ length: 10 }, () => someEvents(2));

      const outcomes = await Promise.allSettled(
        batches.map((batch) => store.appendToStream(streamId, batch, { streamType: 'thing', expectedVersion: 1 })),
      );

      const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
      const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(9);
      for (const reason of losers) expect(reason).toBeInstanceOf(ConcurrencyError);
      const read = await store.readStream(streamId);
      expect(read.currentVersion).toBe(3);
      expect(read.events.slice(1).map((event) => event.eventId)).toEqual(batches[winners[0] as number]?.map((event) => event.eventId));
    });

    it('creates a stream once when 10 writers race with no_stream', async () => {
      const streamId = newStreamId();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, () =>
          store.appendToStream(streamId, someEvents(1), { streamType: 'thing', expectedVersion: 'no_stream' }),
        ),
      );

      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect((await store.readStream(streamId)).currentVersion).toBe(1);
    });

    it('lands every one of 10 concurrent any appends with distinct versions', async () => {
      const streamId = newStreamId();
      await Promise.all(
        Array.from({ length: 10 }, () => store.appendToStream(streamId, someEvents(2), { streamType: 'thing', expectedVersion: 'any' })),
      );

      const read = await store.readStream(streamId);
      expect(read.events.map((event) => event.version)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    });
  });

  describe('idempotent retry', () => {
    it('resolves alreadyAppended with the stored events when the same event ids are appended again', async () => {
      const streamId = newStreamId();
      const events = someEvents(2);
      const first = await store.appendToStream(streamId, events, { streamType: 'thing', expectedVersion: 0 });

      const staleRetry = await store.appendToStream(streamId, events, { streamType: 'thing', expectedVersion: 0 });
      const anyRetry = await store.appendToStream(streamId, events, { streamType: 'thing', expectedVersion: 'any' });

      for (const retry of [staleRetry, anyRetry]) {
        expect(retry.alreadyAppended).toBe(true);
        expect(retry.recorded).toEqual(first.recorded);
        expect(retry.nextExpectedVersion).toBe(2);
      }
      const count = await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE stream_id = $1', [streamId]);
      expect(count.rows[0]?.n).toBe('2');
    });

    it('stores a batch once when identical retries race', async () => {
      const streamId = newStreamId();
      const events = someEvents(2);

      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.appendToStream(streamId, events, { streamType: 'thing', expectedVersion: 0 })),
      );

      expect(results.filter((result) => !result.alreadyAppended)).toHaveLength(1);
      expect((await store.readStream(streamId)).events.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));
    });

    it('rejects with IdempotencyKeyReusedError when the event ids are stored in another stream', async () => {
      const events = someEvents(1);
      await store.appendToStream(newStreamId(), events, { streamType: 'thing', expectedVersion: 0 });
      const other = newStreamId();

      await expect(store.appendToStream(other, events, { streamType: 'thing', expectedVersion: 'any' })).rejects.toBeInstanceOf(
        IdempotencyKeyReusedError,
      );
      expect((await store.readStream(other)).currentVersion).toBe(0);
    });
  });

  describe('readAll / headCheckpoint', () => {
    it('pages through appended events after a checkpoint, optionally by type', async () => {
      const head = await store.headCheckpoint();
      const streamId = newStreamId();
      await store.appendToStream(streamId, [...someEvents(3), anEvent({ type: 'OtherHappened', eventId: randomUUID() })], {
        streamType: 'thing',
        expectedVersion: 0,
      });

      const firstPage = await store.readAll(head, { limit: 2 });
      const last = firstPage.at(-1);
      const rest = last
        ? await store.readAll({ transactionId: last.transactionId, globalPosition: last.globalPosition }, { limit: 10 })
        : [];
      const others = await store.readAll(head, { limit: 10, eventTypes: ['OtherHappened'] });

      expect([...firstPage, ...rest].map((event) => event.version)).toEqual([1, 2, 3, 4]);
      expect(others.map((event) => event.type)).toEqual(['OtherHappened']);
      expect(await store.headCheckpoint()).toEqual({
        transactionId: rest.at(-1)?.transactionId,
        globalPosition: rest.at(-1)?.globalPosition,
      });
    });

    it('hides events committed after a still-open transaction until it commits', async () => {
      const head = await store.headCheckpoint();
      const early = newStreamId('early');
      const late = newStreamId('late');
      const client = await database.pool.connect();
      try {
        await client.query('BEGIN');
        await store.appendToStream(early, someEvents(1), { streamType: 'thing', expectedVersion: 0, client });
        await store.appendToStream(late, someEvents(1), { streamType: 'thing', expectedVersion: 0 });

        const whileOpen = await store.readAll(head, { limit: 100 });
        await client.query('COMMIT');
        const afterCommit = await store.readAll(head, { limit: 100 });

        expect(whileOpen).toEqual([]);
        expect(afterCommit.map((event) => event.streamId)).toEqual([early, late]);
      } finally {
        client.release();
      }
    });

    it('returns START_CHECKPOINT as head when there are no events', async () => {
      const empty = await createEventStoreDatabase('es_empty', 2);
      try {
        await expect(new EventStore(empty.pool).headCheckpoint()).resolves.toEqual(START_CHECKPOINT);
      } finally {
        await empty.drop();
      }
    });
  });

  describe('upcasting', () => {
    const upcasters: Upcaster[] = [
      {
        eventType: 'ThingHappened',
        fromSchemaVersion: 1,
        upcast: (data) => ({ schemaVersion: 2, data: { ...(data as object), unit: 'ms' } }),
      },
      {
        eventType: 'ThingHappened',
        fromSchemaVersion: 2,
        upcast: (data) => ({ schemaVersion: 3, data: { ...(data as object), v3: true } }),
      },
    ];

    it('applies chained upcasters on readStream and readAll', async () => {
      const upcasting = new EventStore(database.pool, { upcasters });
      const head = await upcasting.headCheckpoint();
      const streamId = newStreamId();
      await store.appendToStream(streamId, [anEvent({ data: { n: 7 }, schemaVersion: 1 }), anEvent({ data: { n: 8 }, schemaVersion: 3 })], {
        streamType: 'thing',
        expectedVersion: 0,
      });

      const { events } = await upcasting.readStream(streamId);
      const all = await upcasting.readAll(head, { limit: 10 });

      for (const read of [events, all]) {
        expect(read.map((event) => [event.schemaVersion, event.data])).toEqual([
          [3, { n: 7, unit: 'ms', v3: true }],
          [3, { n: 8 }],
        ]);
      }
      expect((await store.readStream(streamId)).events[0]?.schemaVersion).toBe(1);
    });
  });
});

describe('CreateEventStore1732000000000', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('es_migration', 2);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('creates the tables on run and drops them on revert', async () => {
    const dataSource = new DataSource({ type: 'postgres', url: database.url, migrations: EVENT_STORE_MIGRATIONS });
    await dataSource.initialize();
    const tables = async (): Promise<string[]> =>
      (
        await database.pool.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('events', 'subscription_checkpoints') ORDER BY 1",
        )
      ).rows.map((row) => row.table_name);
    try {
      await dataSource.runMigrations();
      expect(await tables()).toEqual(['events', 'subscription_checkpoints']);
      await dataSource.undoLastMigration();
      expect(await tables()).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
