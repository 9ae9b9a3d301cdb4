import { Inject, Injectable, Logger } from '@nestjs/common';
import { cursorCodec, cursorKey, toPage, type Page } from '@fireline/http';
import type { SecretBox } from '@fireline/secrets';
import { isDatabaseUnavailable, MicroBatcher } from '@fireline/event-store';
import type { Pool } from 'pg';
import { z } from 'zod';
import { INCIDENT_PG_POOL, INCIDENT_SECRET_BOX } from '../../incident-service.tokens';
import { deliveryUnreadable } from './alert-intake.errors';
import { redactedBodyForDisplay, redactedHeaders } from './alert-intake.redaction';
import { openAlertToAbsorb, type AbsorbableTrigger } from '../dedup/alert-dedup.repository';

/**
 * The ledger's verdict on a delivery:
 * - `accepted`: valid; stored for processing, and (once `processed_at` is set) it changed the alert;
 * - `duplicate`: valid, processed, and folded into what was there: a retrigger of an open alert, or an
 *   acknowledge/resolve with nothing open to change (dropped, as PagerDuty does);
 * - `rejected`: invalid; answered 400, never processed.
 */
export type IntakeVerdict = 'accepted' | 'rejected' | 'duplicate';

/**
 * One delivery as the ledger shows it: `displayBody` is its body redacted (`redactedBodyForDisplay`),
 * made when read.
 */
export interface AlertIntakeView {
  id: string;
  integrationId: string;
  receivedAt: Date;
  headers: Record<string, unknown>;
  displayBody: string;
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

/**
 * One delivery as recorded, for processing: `rawBody` is the body as received (the routing key masked),
 * kept encrypted at rest and opened here.
 */
export type AlertIntakeRow = Omit<AlertIntakeView, 'displayBody'> & { rawBody: string };

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

/** What `insertAcceptedOrAbsorbed` made of a delivery. */
export type AcceptedOutcome = { verdict: 'accepted'; leased: boolean } | { verdict: 'duplicate'; incarnation: number };

/** A delivery waiting for its batch: sealed (and a large one redacted) already, so the batch only writes. */
interface PendingAccepted {
  intake: NewIntake;
  rawBody: string;
  displayBody: string | null;
  leaseMs: number;
  absorb: AbsorbableTrigger | null;
  keepOrder: boolean;
}

/**
 * Group commit of accepted deliveries (`MicroBatcher`): at most 2 insert statements at once (of the
 * pool's 10 connections; the rest stay free for processing), each carrying up to 64 deliveries that
 * arrived while the earlier ones ran. A quiet instance sends each delivery alone, at once; under a storm
 * one round trip, one commit and one WAL flush record dozens, and a delivery is still answered only once
 * its own row is committed.
 */
export const ACCEPTED_INTAKE_BATCHES = { maxBatchSize: 64, maxInFlight: 2 } as const;

/**
 * A batch insert that failed for a reason that is not about its rows fails every row at once instead of
 * being retried row by row (which would send up to 64 statements to a database that is away or slow):
 * the database is unavailable (`isDatabaseUnavailable`), or the statement ran past `statement_timeout`
 * (SQLSTATE 57014).
 */
export function batchFailsTogether(error: unknown): boolean {
  return isDatabaseUnavailable(error) || (error as { code?: unknown } | null)?.code === '57014';
}

/** A recorded delivery as the ledger shows it: no `rawBody` (it stays sealed). */
/** A page of deliveries, newest first; `nextCursor` is `null` on the last page. */
export type DeliveryPage = Page<AlertIntakeView>;

interface Row {
  id: string;
  integration_id: string;
  received_at: Date;
  headers: Record<string, unknown>;
  raw_body: string;
  display_body: string | null;
  event_action: string | null;
  dedup_key: string | null;
  verdict: IntakeVerdict;
  reason: string | null;
  processed_at: Date | null;
  error: string | null;
  attempts: number;
  sanitized_fields: string[];
}

const COLUMNS = 'id, integration_id, received_at, headers, raw_body, display_body, event_action, dedup_key, verdict, reason, processed_at, error, attempts, sanitized_fields';

/**
 * `claimDue`'s statement (`$1` limit, `$2` lease ms). A due row is claimed when it is the first queued
 * row of its dedup key: the key's first entry in `alert_intake_queued_key_order_idx`, one index probe
 * per due row looked at. Asked as "does an earlier queued row of the key exist?" (`NOT EXISTS`), the
 * planner was free to turn it into an anti join, and with statistics taken while nothing was queued it
 * ran a nested loop over every queued row for every queued row: 22 s for one claim over a backlog of
 * 8,000 (see `OrderQueuedAlertIntakeByKey1732000003800`). A scalar subquery with `LIMIT` is never
 * flattened into a join, so the probe stays a probe. Rows without a dedup key never wait. The due rows
 * are walked in `next_attempt_at` order (`alert_intake_pending_idx`) until `$1` are taken; the
 * queued-key index holds keyed rows only, so the planner cannot read the whole backlog through it and
 * sort it instead, as it did with the same stale statistics (`KeepAlertIntakeLookupsOffQueueIndexes1732000003900`).
 */
export const CLAIM_DUE_SQL = `
UPDATE alert_intake SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
WHERE id IN (
  SELECT a.id FROM alert_intake a
  WHERE a.processed_at IS NULL AND a.next_attempt_at <= now()
    AND (a.dedup_key IS NULL
         OR a.id = (SELECT e.id FROM alert_intake e
                    WHERE e.integration_id = a.integration_id AND e.dedup_key = a.dedup_key AND e.processed_at IS NULL
                    ORDER BY e.received_at, e.id LIMIT 1))
  ORDER BY a.next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING ${COLUMNS}`;

/*
 * The statements that change one row by its id (`$1`), while it is unprocessed. Processing clears
 * `next_attempt_at`, which takes the row out of the queue's indexes; neither index can serve these
 * statements (see `KeepAlertIntakeLookupsOffQueueIndexes1732000003900`), so each is one primary-key probe
 * whatever the statistics say.
 */
/** `markProcessed`: `$2` verdict, `$3` reason, `$4` error. */
export const MARK_PROCESSED_SQL = `
UPDATE alert_intake SET verdict = $2, reason = $3, error = $4, processed_at = now(), next_attempt_at = NULL
WHERE id = $1 AND processed_at IS NULL`;

/** `markFailed`: `$2` error, `$3` retry delay ms, `$4` whether the attempt counts. */
export const MARK_FAILED_SQL = `
UPDATE alert_intake SET error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
       attempts = CASE WHEN $4 THEN attempts ELSE greatest(attempts - 1, 0) END
WHERE id = $1 AND processed_at IS NULL`;

/** `lease`: `$2` lease ms. */
export const LEASE_SQL = `
UPDATE alert_intake SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
WHERE id = $1 AND processed_at IS NULL
RETURNING ${COLUMNS}`;

/*
 * One statement records a batch of accepted deliveries (`ACCEPTED_INTAKE_BATCHES`: one row per
 * delivery, in the order received; a batch of one when quiet). Per row, `o` (the open alert) is the
 * absorption test of `insertAcceptedOrAbsorbed` (empty without a stream id; `openAlertToAbsorb`): read
 * only, so a storm of one dedup key never queues on the `alert_dedup` row; an absorbed row is also put
 * in `alert_dedup_uncounted`, which `AlertDedupCounterWorker` folds into the counter later. `waiting`:
 * deliveries of the same dedup key recorded earlier and not processed yet, or an earlier row of the same
 * key in this batch (`after_same_key`, which this statement's snapshot cannot see). A waiting row must
 * not be overtaken: this one is not leased to the caller but left due at once for the worker, which
 * processes a key's deliveries in order; and it is not absorbed past a waiting acknowledge or resolve
 * (past waiting triggers it may be: counting a trigger into the open incarnation before or after other
 * triggers of it is the same).
 */
export const INSERT_ACCEPTED_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::double precision[],
                       $9::text[], $10::text[], $11::text[], $12::smallint[], $13::boolean[], $14::boolean[], $15::boolean[])
    WITH ORDINALITY AS i(id, integration_id, received_at, headers, raw_body, event_action, dedup_key, lease_ms,
                         display_body, sanitized_fields, absorb_stream_id, severity_rank, keep_order, after_same_key, after_same_key_non_trigger, ord)
), decided AS (
  SELECT i.*, w.yes OR i.after_same_key AS waiting, o.incarnation
  FROM input i
  CROSS JOIN LATERAL (
    SELECT EXISTS (SELECT 1 FROM alert_intake q
                   WHERE i.keep_order AND q.integration_id = i.integration_id AND q.dedup_key = i.dedup_key AND q.processed_at IS NULL) AS yes,
           EXISTS (SELECT 1 FROM alert_intake q
                   WHERE i.keep_order AND q.integration_id = i.integration_id AND q.dedup_key = i.dedup_key AND q.processed_at IS NULL
                     AND q.event_action IS DISTINCT FROM 'trigger') AS other_than_triggers
  ) w
  LEFT JOIN LATERAL (
    SELECT d.incarnation FROM alert_dedup d
    WHERE i.absorb_stream_id IS NOT NULL AND NOT w.other_than_triggers AND NOT i.after_same_key_non_trigger
      AND ${openAlertToAbsorb('i.absorb_stream_id', 'i.severity_rank')}
  ) o ON true
), inserted AS (
INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, display_body, event_action, dedup_key, sanitized_fields,
                          verdict, reason, attempts, processed_at, next_attempt_at, absorbed_stream_id, absorbed_incarnation)
SELECT id, integration_id, received_at, headers::jsonb, raw_body, display_body, event_action, dedup_key,
       ARRAY(SELECT jsonb_array_elements_text(sanitized_fields::jsonb)),
       CASE WHEN incarnation IS NULL THEN 'accepted' ELSE 'duplicate' END,
       CASE WHEN incarnation IS NULL THEN NULL ELSE 'deduplicated into open incarnation ' || incarnation END,
       CASE WHEN incarnation IS NULL AND (waiting OR lease_ms <= 0) THEN 0 ELSE 1 END,
       CASE WHEN incarnation IS NULL THEN NULL ELSE now() END,
       CASE WHEN incarnation IS NOT NULL THEN NULL
            WHEN waiting OR lease_ms <= 0 THEN now()
            ELSE now() + make_interval(secs => lease_ms / 1000) END,
       CASE WHEN incarnation IS NULL THEN NULL ELSE absorb_stream_id END,
       incarnation
FROM decided
ORDER BY ord
RETURNING id, absorbed_stream_id, absorbed_incarnation, received_at, attempts
), uncounted AS (
  INSERT INTO alert_dedup_uncounted (intake_id, stream_id, incarnation, received_at)
  SELECT id, absorbed_stream_id, absorbed_incarnation, received_at FROM inserted WHERE absorbed_incarnation IS NOT NULL
)
SELECT id, absorbed_incarnation, attempts FROM inserted`;

/** The context a ledger row's body is sealed for (a body copied into another row does not open there). */
export const rawBodyContext = (intakeId: string) => `alert_intake.raw_body:${intakeId}`;

/**
 * Bodies longer than this (characters) get their redacted copy stored at intake. Redacting costs ~35 ms
 * per MB of JSON (parse and rewrite): redacted when read, a ledger page (≤ `PAGE_LIMIT.max` = 100 rows)
 * of bodies up to 1 MB could hold the event loop for seconds; with this bound, ≤ ~60 ms.
 */
export const STORED_DISPLAY_ABOVE_CHARS = 16_384;

/** The redacted copy a new row stores: only for a body over `STORED_DISPLAY_ABOVE_CHARS`, else null (redacted when read). */
function storedDisplayBody(intake: NewIntake): string | null {
  return intake.rawBody.length > STORED_DISPLAY_ABOVE_CHARS ? redactedBodyForDisplay(intake.rawBody) : null;
}

/** A row's columns but its body. */
function recordedFieldsOf(row: Row): Omit<AlertIntakeView, 'displayBody'> {
  return {
    id: row.id,
    integrationId: row.integration_id,
    receivedAt: row.received_at,
    headers: row.headers,
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

/** The request headers as stored: lower-case names, credential headers kept as `[redacted]` (see `redactedHeaders`). */
export function headersForLedger(headers: Record<string, string | string[] | undefined>): Record<string, unknown> {
  return redactedHeaders(headers);
}

/** Cursor of an integration's ledger: the last row's `[receivedAt, id]`. */
const LEDGER_CURSOR = cursorCodec('integration-deliveries', z.tuple([cursorKey.timestamp(), cursorKey.uuid()]));

/**
 * `alert_intake`: the durable ledger of every delivery, and the queue of the ones still to process.
 * Each body is stored sealed (`raw_body`, AES-256-GCM), opened to process it and, redacted, to show it
 * (`displayBody`, made when read: storing a redacted copy of every body as well made every row ~40%
 * larger and cost each intake request a parse and a redaction). Only a body over
 * `STORED_DISPLAY_ABOVE_CHARS` also gets its redacted copy stored (`display_body`, see `storedDisplayBody`),
 * as did every row before 2026-12. Headers are stored redacted.
 */
@Injectable()
export class AlertIntakeRepository {
  private readonly logger = new Logger(AlertIntakeRepository.name);

  /** Accepted deliveries on their way into the ledger, many per statement under load. */
  private readonly accepted: MicroBatcher<PendingAccepted, AcceptedOutcome>;

  constructor(
    @Inject(INCIDENT_PG_POOL) private readonly pool: Pool,
    @Inject(INCIDENT_SECRET_BOX) private readonly box: SecretBox,
  ) {
    this.accepted = new MicroBatcher((batch) => this.insertAcceptedBatch(batch), ACCEPTED_INTAKE_BATCHES, batchFailsTogether);
  }

  /** A row with its body opened for processing. @throws IllegalStateError `DELIVERY.UNREADABLE` when its key is not configured. */
  private toIntake(row: Row): AlertIntakeRow {
    let rawBody: string;
    try {
      rawBody = this.box.openOrPlaintext(row.raw_body, rawBodyContext(row.id));
    } catch (error) {
      throw deliveryUnreadable(row.id, error instanceof Error ? error.message : String(error));
    }
    return { ...recordedFieldsOf(row), rawBody };
  }

  /**
   * A row as the ledger shows it: its stored redacted copy (`display_body`: a body over
   * `STORED_DISPLAY_ABOVE_CHARS`, or a row recorded before 2026-12), else its body opened and redacted now
   * (`redactedBodyForDisplay`). A body that cannot be opened (sealed with a key that is no longer
   * configured) and has no stored copy shows as `''`: one unreadable row does not fail a page.
   */
  private toView(row: Row): AlertIntakeView {
    let shown: string;
    try {
      shown = row.display_body ?? redactedBodyForDisplay(this.box.openOrPlaintext(row.raw_body, rawBodyContext(row.id)));
    } catch {
      shown = '';
    }
    return { ...recordedFieldsOf(row), displayBody: shown };
  }

  /** The `raw_body` column of a new row: the body sealed for this row. */
  private sealedBody(intake: NewIntake): string {
    return this.box.seal(intake.rawBody, rawBodyContext(intake.id));
  }

  /**
   * Records a valid delivery before it is answered, with a processing lease of `leaseMs` held by the
   * caller (attempt 1): if the caller dies, the worker takes the row over once the lease runs out.
   * No absorption, no queueing behind earlier deliveries (see `insertAcceptedOrAbsorbed`).
   */
  async insertAccepted(intake: NewIntake, leaseMs: number): Promise<void> {
    await this.insertAcceptedOrAbsorbed(intake, leaseMs, null, false);
  }

  /**
   * Records a valid delivery before it is answered, in one statement (shared with the deliveries that
   * arrive meanwhile: `ACCEPTED_INTAKE_BATCHES`; resolves once this row is committed). With `absorb` (a lone trigger of
   * alert stream `absorb.streamId`): if that alert is open at least as severe (`absorb.severityRank`,
   * 1 info … 4 critical) and no resolve follows the state `alert_dedup` mirrors, the row is recorded as
   * a processed `duplicate` absorbed into the open incarnation — counted later by
   * `AlertDedupCounterWorker` — and needs no processing. Otherwise (or without `absorb`) it is recorded
   * `accepted`:
   * - `leased`: attempt 1 with a processing lease of `leaseMs` held by the caller, who processes it now
   *   (if the caller dies, the worker takes the row over once the lease runs out);
   * - `queued`: due at once for `AlertIntakeWorker`, because `leaseMs` is 0 (the caller leaves it to the
   *   worker) or an earlier delivery of the same dedup key is still waiting (it must not be overtaken;
   *   nor is it absorbed past a waiting acknowledge or resolve). `keepOrder: false` leaves waiting deliveries out of it (a caller with its own
   *   order, as PagerDuty webhooks' per-event claims).
   */
  async insertAcceptedOrAbsorbed(
    intake: NewIntake,
    leaseMs: number,
    absorb: AbsorbableTrigger | null,
    keepOrder = true,
  ): Promise<AcceptedOutcome> {
    return this.accepted.submit({ intake, rawBody: this.sealedBody(intake), displayBody: storedDisplayBody(intake), leaseMs, absorb, keepOrder });
  }

  /** One `INSERT_ACCEPTED_SQL` for a batch of deliveries (see `AcceptedIntakeBatcher`); one outcome per delivery, in order. */
  private async insertAcceptedBatch(batch: PendingAccepted[]): Promise<AcceptedOutcome[]> {
    // A key's deliveries in the order received (as the worker takes them; ties: the order submitted).
    const seen = new Map<string, boolean>();
    const afterSameKey = batch.map(() => false);
    const afterSameKeyNonTrigger = batch.map(() => false);
    const received = batch.map((_, index) => index).sort((a, b) => batch[a].intake.receivedAt.getTime() - batch[b].intake.receivedAt.getTime() || a - b);
    for (const index of received) {
      const { intake, keepOrder } = batch[index];
      const key = keepOrder && intake.dedupKey !== null ? `${intake.integrationId}\u0000${intake.dedupKey}` : null;
      const earlier = key === null ? undefined : seen.get(key);
      afterSameKey[index] = earlier !== undefined;
      afterSameKeyNonTrigger[index] = earlier === true;
      if (key !== null) seen.set(key, (earlier ?? false) || intake.eventAction !== 'trigger');
    }
    const column = <T>(of: (pending: PendingAccepted) => T): T[] => batch.map(of);
    const result = await this.pool.query<{ id: string; absorbed_incarnation: number | null; attempts: number }>({
      name: 'fireline_alert_intake_insert_accepted',
      text: INSERT_ACCEPTED_SQL,
      values: [
        column((p) => p.intake.id),
        column((p) => p.intake.integrationId),
        column((p) => p.intake.receivedAt),
        column((p) => JSON.stringify(p.intake.headers)),
        column((p) => p.rawBody),
        column((p) => p.intake.eventAction),
        column((p) => p.intake.dedupKey),
        column((p) => p.leaseMs),
        column((p) => p.displayBody),
        column((p) => JSON.stringify(p.intake.sanitizedFields ?? [])),
        column((p) => p.absorb?.streamId ?? null),
        column((p) => p.absorb?.severityRank ?? null),
        column((p) => p.keepOrder),
        afterSameKey,
        afterSameKeyNonTrigger,
      ],
    });
    const byId = new Map(result.rows.map((row) => [row.id, row]));
    return batch.map(({ intake }) => {
      const row = byId.get(intake.id);
      if (row === undefined) throw new Error(`alert_intake: no row returned for delivery ${intake.id}`);
      if (row.absorbed_incarnation != null) return { verdict: 'duplicate', incarnation: row.absorbed_incarnation };
      return { verdict: 'accepted', leased: row.attempts > 0 };
    });
  }

  /** Records an invalid delivery (already answered 400 by the caller): processed, never retried. */
  async insertRejected(intake: NewIntake, reason: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_intake (id, integration_id, received_at, headers, raw_body, display_body, event_action, dedup_key, verdict, reason, processed_at, sanitized_fields)
       VALUES ($1, $2, $3, $4, $5, $10, $6, $7, 'rejected', $8, now(), $9)`,
      [
        intake.id,
        intake.integrationId,
        intake.receivedAt,
        intake.headers,
        this.sealedBody(intake),
        intake.eventAction,
        intake.dedupKey,
        reason,
        intake.sanitizedFields ?? [],
        storedDisplayBody(intake),
      ],
    );
  }

  /** Final outcome of a processed row (first writer wins: a late duplicate processing changes nothing). */
  async markProcessed(id: string, verdict: Exclude<IntakeVerdict, 'rejected'>, reason: string | null, error: string | null = null): Promise<void> {
    await this.pool.query(MARK_PROCESSED_SQL, [id, verdict, reason, error]);
  }

  /**
   * A failed attempt: keep the error and let the worker retry after `retryInMs`. With
   * `countAttempt: false` (the database was unavailable: nothing about the delivery failed) the attempt
   * that claimed the row is taken back, so an outage never brings a row closer to being given up.
   */
  async markFailed(id: string, error: string, retryInMs: number, countAttempt = true): Promise<void> {
    await this.pool.query(MARK_FAILED_SQL, [id, error.slice(0, 2000), retryInMs, countAttempt]);
  }

  /**
   * Claims up to `limit` unprocessed rows that are due (queued, or their lease ran out), oldest first,
   * and leases them for `leaseMs`; a row waits while an earlier unprocessed row of its dedup key exists,
   * so a sender's order holds per key (at most one row per key per claim) (one short transaction: `FOR UPDATE SKIP LOCKED`, so concurrent workers split the rows
   * and no transaction stays open while a row is processed, which would stall the event store's
   * subscribers). A row whose body cannot be opened (its key is not configured) is left out, logged, and
   * offered again when its new lease runs out. `CLAIM_DUE_SQL` says why it is asked the way it is.
   */
  async claimDue(limit: number, leaseMs: number): Promise<AlertIntakeRow[]> {
    const result = await this.pool.query<Row>(CLAIM_DUE_SQL, [limit, leaseMs]);
    const rows: AlertIntakeRow[] = [];
    for (const row of result.rows) {
      try {
        rows.push(this.toIntake(row));
      } catch (error) {
        this.logger.error(error instanceof Error ? error.message : String(error));
      }
    }
    return rows.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }

  /**
   * Leases one unprocessed row now, whatever its `next_attempt_at` (an explicit re-process), counting
   * the attempt. @returns the row, or `null` when it is processed (or gone).
   */
  async lease(id: string, leaseMs: number): Promise<AlertIntakeRow | null> {
    const result = await this.pool.query<Row>(LEASE_SQL, [id, leaseMs]);
    return result.rows[0] ? this.toIntake(result.rows[0]) : null;
  }

  /** The row with its body opened. @throws IllegalStateError `DELIVERY.UNREADABLE` when its key is not configured. */
  async findById(id: string): Promise<AlertIntakeRow | null> {
    const result = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM alert_intake WHERE id = $1`, [id]);
    return result.rows[0] ? this.toIntake(result.rows[0]) : null;
  }

  /** The row as the ledger shows it (its body opened and redacted, see `toView`). */
  async findViewById(id: string): Promise<AlertIntakeView | null> {
    const result = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM alert_intake WHERE id = $1`, [id]);
    return result.rows[0] ? this.toView(result.rows[0]) : null;
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
    const page = toPage(result.rows, limit, LEDGER_CURSOR, (row): [string, string] => [row.received_at.toISOString(), row.id]);
    return { items: page.items.map((row) => this.toView(row)), nextCursor: page.nextCursor };
  }
}
