import { Inject, Injectable } from '@nestjs/common';
import { cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import type { Pool } from 'pg';
import { z } from 'zod';
import { INCIDENT_PG_POOL } from '../../incidents/incident-service.tokens';

/**
 * The ledger's verdict on a delivery:
 * - `accepted`: valid; stored for processing, and (once `processed_at` is set) it changed the alert;
 * - `duplicate`: valid, processed, and folded into what was there: a retrigger of an open alert, or an
 *   acknowledge/resolve with nothing open to change (dropped, as PagerDuty does);
 * - `rejected`: invalid; answered 400, never processed.
 */
export type IntakeVerdict = 'accepted' | 'rejected' | 'duplicate';

/** One delivery as recorded. */
export interface AlertIntakeRow {
  id: string;
  integrationId: string;
  receivedAt: Date;
  headers: Record<string, unknown>;
  rawBody: string;
  eventAction: string | null;
  dedupKey: string | null;
  verdict: IntakeVerdict;
  reason: string | null;
  processedAt: Date | null;
  error: string | null;
  attempts: number;
  /** Fields whose NUL or lone surrogates were replaced with U+FFFD before processing (`sanitizeUnstorableText`). */
  sanitizedFields: string[];
}

/** A new delivery for the ledger. */
export interface NewIntake {
  id: string;
  integrationId: string;
  receivedAt: Date;
  headers: Record<string, unknown>;
  /** The body as received (JSON escapes of unstorable characters are plain ASCII here). */
  rawBody: string;
  eventAction: string | null;
  dedupKey: string | null;
  /** Default none. */
  sanitizedFields?: string[];
}

/** A page of deliveries, newest first; `nextCursor` is `null` on the last page. */
export type DeliveryPage = Page<AlertIntakeRow>;

interface Row {
  id: string;
  integration_id: string;
  received_at: Date;
  headers: Record<string, unknown>;
  raw_body: string;
  event_action: string | null;
  dedup_key: string | null;
  verdict: IntakeVerdict;
  reason: string | null;
  processed_at: Date | null;
  error: string | null;
  attempts: number;
  sanitized_fields: string[];
}

const COLUMNS = 'id, integration_id, received_at, headers, raw_body, event_action, dedup_key, verdict, reason, processed_at, error, attempts, sanitized_fields';

function toIntake(row: Row): AlertIntakeRow {
  return {
    id: row.id,
    integrationId: row.integration_id,
    receivedAt: row.received_at,
    headers: row.headers,
    rawBody: row.raw_body,
    eventAction: row.event_action,
    dedupKey: row.dedup_key,
    verdict: row.verdict,
    reason: row.reason,
    processedAt: row.processed_at,
    error: row.error,
    attempts: row.attempts,
    sanitizedFields: row.sanitized_fields,
  };
}

/** Headers that hold credentials are not kept in the ledger. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** The request headers as stored: lower-case names, credentials dropped. */
export function headersForLedger(headers: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !SECRET_HEADERS.has(name.toLowerCase())) kept[name.toLowerCase()] = value;
  }
  return kept;
}

/** Cursor of an integration's ledger: the last row's `[receivedAt, id]`. */
const LEDGER_CURSOR = cursorCodec('integration-deliveries', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));

/** `alert_intake`: the durable ledger of every delivery, and the queue of the ones still to process. */
@Injectable()
export class AlertIntakeRepository {
  constructor(@Inject(INCIDENT_PG_POOL) private readonly pool: Pool) {}

  /**
   * Records a valid delivery before it is answered, with a processing lease of `leaseMs` held by the
   * caller (attempt 1): if the caller dies, the worker takes the row over once the lease runs out.
   */
  async insertAccepted(intake: NewIntake, leaseMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, event_action, dedup_key, verdict, attempts, next_attempt_at, sanitized_fields)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'accepted', 1, now() + make_interval(secs => $8::double precision / 1000), $9)`,
      [intake.id, intake.integrationId, intake.receivedAt, intake.headers, intake.rawBody, intake.eventAction, intake.dedupKey, leaseMs, intake.sanitizedFields ?? []],
    );
  }

  /** Records an invalid delivery (already answered 400 by the caller): processed, never retried. */
  async insertRejected(intake: NewIntake, reason: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, event_action, dedup_key, verdict, reason, processed_at, sanitized_fields)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'rejected', $8, now(), $9)`,
      [intake.id, intake.integrationId, intake.receivedAt, intake.headers, intake.rawBody, intake.eventAction, intake.dedupKey, reason, intake.sanitizedFields ?? []],
    );
  }

  /** Final outcome of a processed row (first writer wins: a late duplicate processing changes nothing). */
  async markProcessed(id: string, verdict: Exclude<IntakeVerdict, 'rejected'>, reason: string | null, error: string | null = null): Promise<void> {
    await this.pool.query(
      `UPDATE alert_intake SET verdict = $2, reason = $3, error = $4, processed_at = now(), next_attempt_at = NULL
       WHERE id = $1 AND processed_at IS NULL`,
      [id, verdict, reason, error],
    );
  }

  /**
   * A failed attempt: keep the error and let the worker retry after `retryInMs`. With
   * `countAttempt: false` (the database was unavailable: nothing about the delivery failed) the attempt
   * that claimed the row is taken back, so an outage never brings a row closer to being given up.
   */
  async markFailed(id: string, error: string, retryInMs: number, countAttempt = true): Promise<void> {
    await this.pool.query(
      `UPDATE alert_intake SET error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
              attempts = CASE WHEN $4 THEN attempts ELSE greatest(attempts - 1, 0) END
       WHERE id = $1 AND processed_at IS NULL`,
      [id, error.slice(0, 2000), retryInMs, countAttempt],
    );
  }

  /**
   * Claims up to `limit` unprocessed rows whose lease ran out, oldest first, and leases them for
   * `leaseMs` (one short transaction: `FOR UPDATE SKIP LOCKED`, so concurrent workers split the rows
   * and no transaction stays open while a row is processed, which would stall the event store's
   * subscribers).
   */
  async claimDue(limit: number, leaseMs: number): Promise<AlertIntakeRow[]> {
    const result = await this.pool.query<Row>(
      `UPDATE alert_intake SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       WHERE id IN (
         SELECT id FROM alert_intake WHERE processed_at IS NULL AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [limit, leaseMs],
    );
    return result.rows.map(toIntake).sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }

  /**
   * Leases one unprocessed row now, whatever its `next_attempt_at` (an explicit re-process), counting
   * the attempt. @returns the row, or `null` when it is processed (or gone).
   */
  async lease(id: string, leaseMs: number): Promise<AlertIntakeRow | null> {
    const result = await this.pool.query<Row>(
      `UPDATE alert_intake SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       WHERE id = $1 AND processed_at IS NULL
       RETURNING ${COLUMNS}`,
      [id, leaseMs],
    );
    return result.rows[0] ? toIntake(result.rows[0]) : null;
  }

  async findById(id: string): Promise<AlertIntakeRow | null> {
    const result = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM alert_intake WHERE id = $1`, [id]);
    return result.rows[0] ? toIntake(result.rows[0]) : null;
  }

  /** Deliveries of one integration, newest first, `limit` per page. @throws ValidationError on a bad cursor. */
  async listDeliveries(integrationId: string, limit: number, cursor?: string): Promise<DeliveryPage> {
    const [receivedAt, id] = cursor === undefined ? [null, null] : LEDGER_CURSOR.decode(cursor);
    const result = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM alert_intake
       WHERE integration_id = $1 AND ($2::timestamptz IS NULL OR (received_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY received_at DESC, id DESC LIMIT $4`,
      [integrationId, receivedAt, id, limit + 1],
    );
    return toPage(result.rows.map(toIntake), limit, LEDGER_CURSOR, (row): [string, string] => [row.receivedAt.toISOString(), row.id]);
  }
}
