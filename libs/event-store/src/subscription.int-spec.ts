import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { servicePool, type TestDatabase } from '../../../test/support/test-database';
import { EventStore } from './event-store';
import { type RecordedEvent, START_CHECKPOINT } from './event-store.types';
import { Subscription, SUBSCRIPTION_LOCK_SQL, type SubscriptionHandler } from './subscription';
import {
  anEvent,
  createEventStoreDatabase,
  eventually,
  newStreamId,
  sleep,
  someEvents,
  startSubscriptionAtHead,
} from './testing/event-store.testing';

/** A handler that remembers what it was given (only what committed: it never throws). */
function recordingHandler(name: string, eventTypes?: string[]): SubscriptionHandler & { seen: RecordedEvent[] } {
  const seen: RecordedEvent[] = [];
  return { name, ...(eventTypes ? { eventTypes } : {}), seen, handle: async (events) => void seen.push(...events) };
}

function duplicatesOf(ids: string[]): string[] {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([id]) => id);
}

/**
 * `writers` concurrent writers, each doing `appendsPerWriter` appends over its own 5 streams: a mix of
 * single events and 3-event batches, a third of them in explicit transactions held open for 0–3 ms, so
 * that transactions commit out of `global_position` order. Resolves with the ids of every stored event.
 */
async function writeConcurrently(store: EventStore, database: TestDatabase, writers: number, appendsPerWriter: number): Promise<string[]> {
  const runWriter = async (writer: number): Promise<string[]> => {
    const streams = Array.from({ length: 5 }, () => newStreamId(`w${writer}`));
    const versions = new Map<string, number>();
    const ids: string[] = [];
    for (let i = 0; i < appendsPerWriter; i++) {
      const streamId = streams[i % streams.length] as string;
      const events = someEvents(i % 4 === 3 ? 3 : 1);
      const expectedVersion = versions.get(streamId) ?? 0;
      if (i % 3 === 0) {
        const client = await database.pool.connect();
        try {
          await client.query('BEGIN');
          await store.appendToStream(streamId, events, { streamType: 'thing', expectedVersion, client });
          await sleep(Math.random() * 3);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      } else {
        await store.appendToStream(streamId, events, { streamType: 'thing', expectedVersion });
      }
      versions.set(streamId, expectedVersion + events.length);
      ids.push(...events.map((event) => event.eventId as string));
    }
    return ids;
  };
  return (await Promise.all(Array.from({ length: writers }, (_, writer) => runWriter(writer)))).flat();
}

describe(Subscription.name, () => {
  let database: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    database = await createEventStoreDatabase('es_subscription', 30);
    store = new EventStore(database.pool);
    await database.pool.query('CREATE TABLE effects (event_id uuid PRIMARY KEY, subscription text NOT NULL)');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('delivers every event exactly once, in stream order, while 16 writers commit out of order', async () => {
    const handler = recordingHandler(`gap-${randomUUID()}`);
    const errors: unknown[] = [];
    const subscription = new Subscription(database.pool, handler, {
      batchSize: 50,
      pollIntervalMs: 2,
      onError: (error) => errors.push(error),
    });
    await subscription.catchUp(); // start at the current head: earlier tests' events
    const before = handler.seen.length;

    subscription.start();
    const written = await writeConcurrently(store, database, 16, 250);
    const seenWhileWriting = handler.seen.length - before;
    await subscription.catchUp();
    await subscription.stop();

    const delivered = handler.seen.slice(before);
    expect(errors).toEqual([]);
    expect(written.length).toBeGreaterThanOrEqual(4000);
    expect(seenWhileWriting).toBeGreaterThan(0); // the reader overlapped the writers
    expect(duplicatesOf(delivered.map((event) => event.eventId))).toEqual([]);
    expect(new Set(delivered.map((event) => event.eventId))).toEqual(new Set(written));
    const lastVersion = new Map<string, number>();
    for (const event of delivered) {
      expect(event.version).toBe((lastVersion.get(event.streamId) ?? 0) + 1);
      lastVersion.set(event.streamId, event.version);
    }
    // Proof the race happened: some event was delivered after one with a higher global position, i.e.
    // committed late; a reader paging by global_position alone would have skipped it.
    let maxPosition = 0n;
    let lateCommits = 0;
    for (const event of delivered) {
      const position = BigInt(event.globalPosition);
      if (position < maxPosition) lateCommits++;
      else maxPosition = position;
    }
    expect(lateCommits).toBeGreaterThan(0);
    expect(await subscription.checkpoint()).toEqual(await store.headCheckpoint());
  }, 60_000);

  it('never processes an event twice when two instances run the same subscription', async () => {
    const name = `twins-${randomUUID()}`;
    const errors: unknown[] = [];
    const seenBy: string[][] = [[], []];
    const instances = [0, 1].map(
      (instance) =>
        new Subscription(
          database.pool,
          {
            name,
            handle: async (events: RecordedEvent[], tx: PoolClient) => {
              seenBy[instance]?.push(...events.map((event) => event.eventId));
              // The primary key turns a second delivery into a failed page (seen in `errors`).
              await tx.query('INSERT INTO effects (event_id, subscription) SELECT unnest($1::uuid[]), $2', [
                events.map((event) => event.eventId),
                name,
              ]);
            },
          },
          { batchSize: 20, pollIntervalMs: 1, onError: (error) => errors.push(error) },
        ),
    );
    await instances[0]?.catchUp();
    const effectsBefore = await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM effects WHERE subscription = $1', [name]);
    const seenBefore = seenBy[0]?.length ?? 0;

    for (const instance of instances) instance.start();
    const written = await writeConcurrently(store, database, 4, 100);
    await instances[1]?.catchUp();
    await Promise.all(instances.map((instance) => instance.stop()));

    const delivered = [...(seenBy[0]?.slice(seenBefore) ?? []), ...(seenBy[1] ?? [])];
    expect(errors).toEqual([]);
    expect(duplicatesOf(delivered)).toEqual([]);
    expect(new Set(delivered)).toEqual(new Set(written));
    const effects = await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM effects WHERE subscription = $1', [name]);
    expect(Number(effects.rows[0]?.n) - Number(effectsBefore.rows[0]?.n)).toBe(written.length);
  }, 60_000);

  it('does not advance the checkpoint and redelivers the page when the handler throws', async () => {
    const streamId = newStreamId();
    const name = `flaky-${randomUUID()}`;
    await startSubscriptionAtHead(database.pool, name);
    const events = someEvents(5);
    await store.appendToStream(streamId, events, { streamType: 'thing', expectedVersion: 0 });
    const poison = events[2]?.eventId as string;
    let failuresLeft = 1;
    const pages: string[][] = [];
    const subscription = new Subscription(
      database.pool,
      {
        name,
        handle: async (page, tx) => {
          pages.push(page.map((event) => event.eventId));
          await tx.query('INSERT INTO effects (event_id, subscription) SELECT unnest($1::uuid[]), $2', [
            page.map((event) => event.eventId),
            name,
          ]);
          if (failuresLeft > 0 && page.some((event) => event.eventId === poison)) {
            failuresLeft--;
            throw new Error('handler failed');
          }
        },
      },
      { batchSize: 2 },
    );

    await expect(subscription.catchUp()).rejects.toThrow('handler failed');
    const checkpointAfterFailure = await subscription.checkpoint();
    const effectsAfterFailure = await database.pool.query<{ event_id: string }>('SELECT event_id FROM effects WHERE subscription = $1', [
      name,
    ]);
    await subscription.catchUp();

    const [first, second] = (await store.readStream(streamId)).events;
    expect(checkpointAfterFailure).toEqual({ transactionId: second?.transactionId, globalPosition: second?.globalPosition });
    expect(effectsAfterFailure.rows.map((row) => row.event_id).sort()).toEqual([first?.eventId, second?.eventId].sort());
    const ids = events.map((event) => event.eventId);
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(2, 4), ids.slice(4)]);
    const effects = await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM effects WHERE subscription = $1', [name]);
    expect(effects.rows[0]?.n).toBe('5');
  });

  it('retries a failed page in the background loop and reports the error to onError', async () => {
    const handler = recordingHandler(`loop-${randomUUID()}`);
    await new Subscription(database.pool, handler).catchUp();
    handler.seen.length = 0;
    let failuresLeft = 2;
    const errors: unknown[] = [];
    const subscription = new Subscription(
      database.pool,
      {
        name: handler.name,
        handle: async (events, tx) => {
          if (failuresLeft-- > 0) throw new Error('transient');
          await handler.handle(events, tx);
        },
      },
      { pollIntervalMs: 5, maxBackoffMs: 20, onError: (error) => errors.push(error) },
    );
    const events = someEvents(3);
    await store.appendToStream(newStreamId(), events, { streamType: 'thing', expectedVersion: 0 });

    subscription.start();
    await eventually(() => handler.seen.length >= 3);
    await subscription.stop();

    expect(errors).toHaveLength(2);
    expect(handler.seen.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));
  });

  it('resumes from its checkpoint after the database dropped its connections mid-page, reporting the outage once', async () => {
    // A pool as the services configure it: without an 'error' listener on each client, the first
    // terminated backend would crash the test process.
    const pool = servicePool(database.url, { max: 3 });
    const handler = recordingHandler(`outage-${randomUUID()}`);
    await startSubscriptionAtHead(pool, handler.name);
    let drops = 4;
    const errors: unknown[] = [];
    const subscription = new Subscription(
      pool,
      {
        name: handler.name,
        handle: async (events, tx) => {
          if (drops-- > 0) await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
          await handler.handle(events, tx);
        },
      },
      { pollIntervalMs: 5, onError: (error) => errors.push(error) },
    );
    const events = someEvents(3);
    await store.appendToStream(newStreamId(), events, { streamType: 'thing', expectedVersion: 0 });

    try {
      subscription.start();
      await eventually(() => handler.seen.length >= 3);
      await subscription.stop();
    } finally {
      await pool.end();
    }

    expect(drops).toBe(-1);
    expect(errors).toEqual([expect.objectContaining({ code: '57P01' })]);
    expect(handler.seen.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));
  });

  it('hands over only the wanted event types but moves the checkpoint past the others', async () => {
    const handler = recordingHandler(`typed-${randomUUID()}`, ['Wanted']);
    const subscription = new Subscription(database.pool, handler, { batchSize: 3 });
    await startSubscriptionAtHead(database.pool, handler.name);
    const streamId = newStreamId();
    await store.appendToStream(
      streamId,
      [
        anEvent({ type: 'Unwanted' }),
        anEvent({ type: 'Unwanted' }),
        anEvent({ type: 'Unwanted' }),
        anEvent({ type: 'Wanted' }),
        anEvent({ type: 'Unwanted' }),
      ],
      { streamType: 'thing', expectedVersion: 0 },
    );

    const handled = await subscription.catchUp();

    expect(handled).toBe(1);
    expect(handler.seen.map((event) => [event.type, event.version])).toEqual([['Wanted', 4]]);
    expect(await subscription.checkpoint()).toEqual(await store.headCheckpoint());
  });

  it('wakes the loop on notify instead of waiting for the poll interval', async () => {
    const handler = recordingHandler(`notify-${randomUUID()}`);
    const subscription = new Subscription(database.pool, handler, { pollIntervalMs: 60_000 });
    await subscription.catchUp();
    handler.seen.length = 0;
    subscription.start();
    await sleep(50); // the loop is now asleep for a minute

    await store.appendToStream(newStreamId(), someEvents(1), { streamType: 'thing', expectedVersion: 0 });
    subscription.notify();
    await eventually(() => handler.seen.length === 1, 5_000);
    await subscription.stop();
  });

  it('polls less and less while idle (100 ms doubling to 1 s), and still sees an append nobody notified within about a second', async () => {
    const pool = servicePool(database.url, { max: 2 });
    let polls = 0;
    pool.on('acquire', () => polls++);
    const handler = recordingHandler(`idle-${randomUUID()}`);
    const subscription = new Subscription(pool, handler);
    try {
      await subscription.catchUp();
      handler.seen.length = 0;
      polls = 0;
      subscription.start();
      await sleep(3_000);
      // 100 + 200 + 400 + 800 + 1000 ms: 6 polls in 3 s (at a fixed 100 ms it was 30).
      expect(polls).toBeGreaterThanOrEqual(4);
      expect(polls).toBeLessThanOrEqual(8);

      const appendedAt = Date.now();
      await store.appendToStream(newStreamId(), someEvents(1), { streamType: 'thing', expectedVersion: 0 });
      await eventually(() => handler.seen.length === 1, 5_000);
      expect(Date.now() - appendedAt).toBeLessThan(1_600);

      // After events, back to 100 ms: a notified append is handled at once.
      await sleep(50);
      await store.appendToStream(newStreamId(), someEvents(1), { streamType: 'thing', expectedVersion: 0 });
      subscription.notify();
      const notifiedAt = Date.now();
      await eventually(() => handler.seen.length === 2, 5_000);
      expect(Date.now() - notifiedAt).toBeLessThan(500);
    } finally {
      await subscription.stop();
      await pool.end();
    }
  });

  it('is not kept busy by a flow of events it does not handle, yet handles its own at once when notified', async () => {
    const pool = servicePool(database.url, { max: 2 });
    let pages = 0;
    pool.on('acquire', () => pages++);
    const handler = recordingHandler(`flow-${randomUUID()}`, ['Wanted']);
    const subscription = new Subscription(pool, handler, { lingerMs: 100 });
    let flowing = true;
    const flow = (async () => {
      // Another feature's events, every ~10 ms; nobody notifies this subscription of them.
      while (flowing) {
        await store.appendToStream(newStreamId(), [anEvent({ type: 'Unwanted' })], { streamType: 'thing', expectedVersion: 0 });
        await sleep(10);
      }
    })();
    try {
      await startSubscriptionAtHead(database.pool, handler.name);
      pages = 0;
      subscription.start();
      await sleep(3_000);
      // Idle pacing (100 ms doubling to 1 s): ~6 polls in 3 s, each a peek and a page (other types keep
      // coming). Paced by what it scanned, it was ~35 pages (one per linger).
      expect(pages).toBeLessThanOrEqual(14);

      await store.appendToStream(newStreamId(), [anEvent({ type: 'Wanted' })], { streamType: 'thing', expectedVersion: 0 });
      subscription.notify();
      const notifiedAt = Date.now();
      await eventually(() => handler.seen.length === 1, 5_000);
      expect(Date.now() - notifiedAt).toBeLessThan(500);

      // Not notified (appended by another instance): seen within about a second all the same.
      const appendedAt = Date.now();
      await store.appendToStream(newStreamId(), [anEvent({ type: 'Wanted' })], { streamType: 'thing', expectedVersion: 0 });
      await eventually(() => handler.seen.length === 2, 5_000);
      expect(Date.now() - appendedAt).toBeLessThan(1_600);
    } finally {
      flowing = false;
      await flow;
      await subscription.stop();
      await pool.end();
    }
  }, 15_000);

  it('costs one statement for a poll that finds nothing: idle, and right after a page that took all there was', async () => {
    const pool = servicePool(database.url, { max: 2 });
    let statements = 0;
    // Every round trip goes through a client's query (pool.query too): count there.
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => (statements++, query(...args));
    });
    const handler = recordingHandler(`peek-${randomUUID()}`);
    const subscription = new Subscription(pool, handler);
    try {
      await startSubscriptionAtHead(database.pool, handler.name);
      subscription.start();
      await eventually(() => statements > 0, 2_000); // its first page (3 round trips)
      await sleep(200);
      statements = 0;
      await sleep(3_000);
      // ~6 idle polls (100 ms doubling to 1 s, reset by its first page): a page each was 3 round trips.
      expect(statements).toBeLessThanOrEqual(9); // 12 before

      // A trickle, every append notified: a page per event (3 round trips) and one peek after it, where
      // the page after it, empty, was 3 more.
      await sleep(1_100);
      statements = 0;
      for (let i = 0; i < 20; i++) {
        await store.appendToStream(newStreamId(), someEvents(1), { streamType: 'thing', expectedVersion: 0 });
        subscription.notify();
        await sleep(50);
      }
      await eventually(() => handler.seen.length === 20, 5_000);
      await sleep(150);
      expect(statements).toBeLessThanOrEqual(20 * 4 + 10); // 123 before
    } finally {
      await subscription.stop();
      await pool.end();
    }
  }, 15_000);

  it('takes the lock of SUBSCRIPTION_LOCK_SQL and keeps its checkpoint under its exact name, quotes and backslashes included', async () => {
    const handler = recordingHandler(`o'brien\\'; DROP TABLE effects; --${randomUUID()}`);
    const subscription = new Subscription(database.pool, handler, { pollIntervalMs: 20 });
    await startSubscriptionAtHead(database.pool, handler.name);
    const holder = await database.pool.connect();
    try {
      // A rebuild of the same name holds the lock: the loop must not process meanwhile.
      await holder.query('BEGIN');
      await holder.query(SUBSCRIPTION_LOCK_SQL.wait, [handler.name]);
      subscription.start();
      await store.appendToStream(newStreamId(), someEvents(2), { streamType: 'thing', expectedVersion: 0 });
      subscription.notify();
      await sleep(300);
      expect(handler.seen).toHaveLength(0);
      await holder.query('COMMIT');

      await eventually(() => handler.seen.length === 2, 5_000);
      const stored = await database.pool.query('SELECT name FROM subscription_checkpoints WHERE name = $1', [handler.name]);
      expect(stored.rows).toEqual([{ name: handler.name }]);
      expect(await subscription.checkpoint()).toEqual(await store.headCheckpoint());
      expect((await database.pool.query("SELECT to_regclass('effects') AS t")).rows[0].t).toBe('effects');
    } finally {
      holder.release();
      await subscription.stop();
    }
  });

  describe('lingerMs', () => {
    /** A handler that records the size of every page it is given. */
    const pageRecorder = (name: string): SubscriptionHandler & { pages: number[] } => {
      const pages: number[] = [];
      return { name, pages, handle: async (events) => void pages.push(events.length) };
    };
    const handledOf = (handler: { pages: number[] }): number => handler.pages.reduce((sum, size) => sum + size, 0);

    /**
     * Against an idle loop: a lone notified append, then 3 append-and-wait steps, then a burst (4 writers,
     * 100 notified appends each, as fast as they go). Resolves with how long the lone event and the
     * slowest step took to be handled, and the page sizes of the burst.
     */
    async function loneStepsAndBurst(lingerMs: number): Promise<{ loneEventMs: number; slowestStepMs: number; burstPages: number[] }> {
      const handler = pageRecorder(`linger-${lingerMs}-${randomUUID()}`);
      const subscription = new Subscription(database.pool, handler, { pollIntervalMs: 60_000, lingerMs });
      const appendOne = async (): Promise<void> => {
        await store.appendToStream(newStreamId(), someEvents(1), { streamType: 'thing', expectedVersion: 0 });
        subscription.notify();
      };
      const appendAndWait = async (): Promise<number> => {
        const expected = handledOf(handler) + 1;
        const appendedAt = Date.now();
        await appendOne();
        await eventually(() => handledOf(handler) === expected, 5_000);
        return Date.now() - appendedAt;
      };
      try {
        await subscription.catchUp();
        handler.pages.length = 0;
        subscription.start();
        await sleep(50); // idle: asleep for a minute unless notified

        const loneEventMs = await appendAndWait();
        let slowestStepMs = 0;
        for (let step = 0; step < 3; step++) {
          await sleep(20);
          slowestStepMs = Math.max(slowestStepMs, await appendAndWait());
        }
        const before = handler.pages.length;
        await Promise.all(Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 100; i++) await appendOne();
        }));
        await eventually(() => handledOf(handler) === 4 + 400, 10_000);
        return { loneEventMs, slowestStepMs, burstPages: handler.pages.slice(before) };
      } finally {
        await subscription.stop();
      }
    }

    it('under sustained appends takes what came during the linger in one page, and delays neither a lone event nor one step at a time', async () => {
      const eager = await loneStepsAndBurst(0);
      const lingering = await loneStepsAndBurst(400);

      // Without linger the burst's events go in many small pages; with it, in a page per ~400 ms.
      expect(eager.burstPages.length).toBeGreaterThan(3 * lingering.burstPages.length);
      expect(lingering.burstPages.length).toBeLessThanOrEqual(12);
      // A lone event, and steps that wait for their event before the next, never meet the linger.
      expect(lingering.loneEventMs).toBeLessThan(300);
      expect(lingering.slowestStepMs).toBeLessThan(300);
    });

    it('does not linger between full pages of a backlog', async () => {
      const handler = pageRecorder(`linger-backlog-${randomUUID()}`);
      const subscription = new Subscription(database.pool, handler, { pollIntervalMs: 60_000, lingerMs: 5_000, batchSize: 5 });
      try {
        await subscription.catchUp();
        handler.pages.length = 0;
        subscription.start();
        await sleep(50);
        await store.appendToStream(newStreamId(), someEvents(20), { streamType: 'thing', expectedVersion: 0 });
        const appendedAt = Date.now();
        subscription.notify();
        await eventually(() => handledOf(handler) === 20, 4_000);
        expect(handler.pages).toEqual([5, 5, 5, 5]);
        expect(Date.now() - appendedAt).toBeLessThan(2_000);
      } finally {
        await subscription.stop();
      }
    });

    it('refuses a negative linger', () => {
      expect(() => new Subscription(database.pool, pageRecorder('linger-negative'), { lingerMs: -1 })).toThrow(RangeError);
    });
  });

  it('starts at START_CHECKPOINT and stops promptly when idle', async () => {
    const subscription = new Subscription(database.pool, recordingHandler(`idle-${randomUUID()}`), { pollIntervalMs: 60_000 });
    expect(await subscription.checkpoint()).toEqual(START_CHECKPOINT);
    subscription.start();
    subscription.start();
    await sleep(20);
    const started = Date.now();
    await subscription.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
