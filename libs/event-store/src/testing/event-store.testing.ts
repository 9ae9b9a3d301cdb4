import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { eventStoreSchemaSql } from '../event-store.schema';
import type { NewEvent } from '../event-store.types';

/** A fresh database with the event-store schema. */
export async function createEventStoreDatabase(prefix: string, poolSize = 10): Promise<TestDatabase> {
  const database = await createTestDatabase(prefix, poolSize);
  await database.pool.query(eventStoreSchemaSql);
  return database;
}

/** A stream id nobody else uses. */
export function newStreamId(prefix = 'thing'): string {
  return `${prefix}-${randomUUID()}`;
}

/** A new event; `data.n` defaults to 1. */
export function anEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return { type: 'ThingHappened', data: { n: 1 }, ...overrides };
}

/** `count` events with fresh ids and `data.n` = 1…count. */
export function someEvents(count: number, overrides: Partial<NewEvent> = {}): NewEvent[] {
  return Array.from({ length: count }, (_, index) => anEvent({ eventId: randomUUID(), data: { n: index + 1 }, ...overrides }));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms until it holds; rejects after `timeoutMs`. */
export async function eventually(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Stores subscription `name`'s checkpoint at the current head, so that it sees only later events. */
export async function startSubscriptionAtHead(pool: Pool, name: string): Promise<void> {
  await pool.query(
    `INSERT INTO subscription_checkpoints (name, transaction_id, global_position)
     SELECT $1, coalesce(head.transaction_id, '0'::xid8), coalesce(head.global_position, 0)
     FROM (SELECT NULL) AS one
     LEFT JOIN (SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1) AS head ON true`,
    [name],
  );
}
