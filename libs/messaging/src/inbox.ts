import type { IntegrationEvent } from '@fireline/contracts';
import type { Pool, PoolClient } from 'pg';

export type InboxOutcome = 'processed' | 'duplicate';

/**
 * Runs `handle` exactly once per `(consumer, event.eventId)`: in one transaction it inserts the inbox
 * row, then does the effect with the same client, then commits. A concurrent or later redelivery
 * finds the row (the insert waits on the first transaction's unique-index entry) and is skipped, so
 * the effect happens once however often the transport delivers.
 *
 * @returns `'processed'` when the effect ran and committed, `'duplicate'` when it had already run.
 * @throws whatever `handle` throws; the transaction (and the inbox row) is rolled back.
 */
export async function processWithInbox(
  pool: Pool,
  consumer: string,
  event: IntegrationEvent,
  handle: (event: IntegrationEvent, tx: PoolClient) => Promise<void>,
): Promise<InboxOutcome> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await client.query(
      `INSERT INTO inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
       ON CONFLICT (consumer, event_id) DO NOTHING`,
      [consumer, event.eventId, event.type],
    );
    if (inserted.rowCount === 0) {
      await client.query('ROLLBACK');
      return 'duplicate';
    }
    await handle(event, client);
    await client.query('COMMIT');
    return 'processed';
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
