import type { IntegrationEvent } from '@fireline/contracts';
import type { Pool } from 'pg';

/** A message a consumer gave up on, as stored in the consuming service's `dead_letters` table. */
export interface DeadLetter {
  consumer: string;
  topic: string;
  event: IntegrationEvent;
  error: string;
  attempts: number;
}

/**
 * Parks a message that keeps failing so that consumption can go on. One row per
 * `(consumer, event_id)`: parking the same message again updates its error and attempt count.
 */
export async function parkInDeadLetters(pool: Pool, letter: DeadLetter): Promise<void> {
  await pool.query(
    `INSERT INTO dead_letters (consumer, topic, event_id, event_type, envelope, error, attempts)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (consumer, event_id) DO UPDATE
       SET error = excluded.error, attempts = dead_letters.attempts + excluded.attempts, last_failed_at = now()`,
    [letter.consumer, letter.topic, letter.event.eventId, letter.event.type, JSON.stringify(letter.event), letter.error, letter.attempts],
  );
}

/** Renders an error for the `dead_letters.error` column: name, code when present, message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message}`.slice(0, 4000);
  }
  return String(error).slice(0, 4000);
}
