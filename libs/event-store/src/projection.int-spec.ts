import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { TestDatabase } from '../../../test/support/test-database';
import { EventStore } from './event-store';
import { type RecordedEvent, START_CHECKPOINT } from './event-store.types';
import { type Projection, projectionHandler, rebuildProjection, RebuildInProgressError } from './projection';
import { Subscription } from './subscription';
import { anEvent, createEventStoreDatabase, newStreamId, sleep } from './testing/event-store.testing';

type CountRow = { stream_id: string; counted: number; last_version: number };

/** Per stream: how many `Counted` events and the last version seen. Ignores every other type. */
function countingProjection(tableName: string): Projection {
  return {
    name: tableName,
    tableName,
    eventTypes: ['Counted'],
    async apply(events: RecordedEvent[], tx: PoolClient, table: string) {
      for (const event of events) {
        await tx.query(
          `INSERT INTO ${table} (stream_id, counted, last_version) VALUES ($1, 1, $2)
           ON CONFLICT (stream_id) DO UPDATE SET counted = ${table}.counted + 1, last_version = excluded.last_version`,
          [event.streamId, event.version],
        );
      }
    },
  };
}

/** What the table must hold: the projection replayed in JS over every stored event. */
async function replay(store: EventStore): Promise<CountRow[]> {
  const rows = new Map<string, CountRow>();
  let after = START_CHECKPOINT;
  for (;;) {
    const page = await store.readAll(after, { limit: 1000 });
    const last = page.at(-1);
    if (!last) break;
    for (const event of page.filter((e) => e.type === 'Counted')) {
      const row = rows.get(event.streamId) ?? { stream_id: event.streamId, counted: 0, last_version: 0 };
      rows.set(event.streamId, { ...row, counted: row.counted + 1, last_version: event.version });
    }
    after = { transactionId: last.transactionId, globalPosition: last.globalPosition };
  }
  return [...rows.values()].sort((a, b) => a.stream_id.localeCompare(b.stream_id));
}

describe(rebuildProjection.name, () => {
  let database: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    database = await createEventStoreDatabase('es_projection', 20);
    store = new EventStore(database.pool);
  });

  afterAll(async () => {
    await database.drop();
  });

  async function createTable(table: string): Promise<void> {
    await database.pool.query(
      `CREATE TABLE ${table} (stream_id text PRIMARY KEY, counted integer NOT NULL CHECK (counted > 0), last_version bigint NOT NULL)`,
    );
    await database.pool.query(`CREATE INDEX ${table}_counted_idx ON ${table} (counted)`);
  }

  async function tableRows(table: string): Promise<CountRow[]> {
    const result = await database.pool.query<{ stream_id: string; counted: number; last_version: string }>(`SELECT * FROM ${table}`);
    return result.rows
      .map((row) => ({ ...row, last_version: Number(row.last_version) }))
      .sort((a, b) => a.stream_id.localeCompare(b.stream_id));
  }

  async function appendMix(streams: number, perStream: number): Promise<void> {
    for (let s = 0; s < streams; s++) {
      const events = Array.from({ length: perStream }, (_, index) => anEvent({ type: index % 3 === 2 ? 'Ignored' : 'Counted' }));
      await store.appendToStream(newStreamId('p'), events, { streamType: 'thing', expectedVersion: 0 });
    }
  }

  it('rebuilds a corrupted table to equal a full replay and leaves the checkpoint at the head', async () => {
    const table = `counts_${randomUUID().slice(0, 8)}`;
    await createTable(table);
    const projection = countingProjection(table);
    const live = new Subscription(database.pool, projectionHandler(projection), { batchSize: 7 });
    await appendMix(20, 6);
    await live.catchUp();
    expect(await tableRows(table)).toEqual(await replay(store));
    await database.pool.query(`DELETE FROM ${table} WHERE stream_id IN (SELECT stream_id FROM ${table} ORDER BY stream_id LIMIT 5)`);
    await database.pool.query(`UPDATE ${table} SET counted = counted + 10`);

    const result = await rebuildProjection(database.pool, projection, { batchSize: 11 });

    const expected = await replay(store);
    expect(await tableRows(table)).toEqual(expected);
    expect(result.eventsApplied).toBe(expected.reduce((total, row) => total + row.counted, 0));
    expect(await live.checkpoint()).toEqual(await store.headCheckpoint());
    expect(await live.catchUp()).toBe(0);
    const shadow = await database.pool.query('SELECT to_regclass($1) AS t', [`${table}__rebuild`]);
    expect(shadow.rows[0]).toEqual({ t: null });
    const indexes = await database.pool.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [table]);
    expect(indexes.rows.map((row) => row.indexdef).join('\n')).toContain('(counted)');
  });

  it('swaps in a complete table while writers and the live subscription keep running', async () => {
    const table = `counts_${randomUUID().slice(0, 8)}`;
    await createTable(table);
    const projection = countingProjection(table);
    const errors: unknown[] = [];
    const live = new Subscription(database.pool, projectionHandler(projection), {
      batchSize: 10,
      pollIntervalMs: 2,
      onError: (error) => errors.push(error),
    });
    await appendMix(30, 5);
    live.start();
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await appendMix(1, 4);
        await sleep(2);
      }
    })();

    await sleep(100);
    const result = await rebuildProjection(database.pool, projection, { batchSize: 25 });
    await sleep(100);
    writing = false;
    await writer;
    await live.catchUp();
    await live.stop();

    expect(errors).toEqual([]);
    expect(result.eventsApplied).toBeGreaterThan(0);
    expect(await tableRows(table)).toEqual(await replay(store));
    expect(await live.checkpoint()).toEqual(await store.headCheckpoint());
  }, 60_000);

  it('refuses a second rebuild of the table while one runs (RebuildInProgressError), and allows one again afterwards', async () => {
    const table = `proj_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await createTable(table);
    await appendMix(3, 3);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const slow: Projection = {
      ...countingProjection(table),
      async apply(events, tx, target) {
        entered();
        await gate;
        await countingProjection(table).apply(events, tx, target);
      },
    };
    const first = rebuildProjection(database.pool, slow);
    await inside;
    await expect(rebuildProjection(database.pool, countingProjection(table))).rejects.toBeInstanceOf(RebuildInProgressError);
    release();
    await first;
    expect(await tableRows(table)).toEqual(await replay(store));
    await expect(rebuildProjection(database.pool, countingProjection(table))).resolves.toMatchObject({ eventsApplied: expect.any(Number) });
  });

  it('rejects a table name that is not a plain identifier', async () => {
    await expect(rebuildProjection(database.pool, countingProjection('bad"; DROP TABLE events; --'))).rejects.toBeInstanceOf(RangeError);
  });
});

describe(projectionHandler.name, () => {
  it('names the subscription after the projection and applies into the live table', async () => {
    const applied: string[] = [];
    const handler = projectionHandler({
      name: 'summary',
      tableName: 'summaries',
      eventTypes: ['A'],
      apply: async (_events, _tx, table) => void applied.push(table),
    });

    await handler.handle([], {} as PoolClient);

    expect(handler).toMatchObject({ name: 'projection:summary', eventTypes: ['A'] });
    expect(applied).toEqual(['summaries']);
  });
});
