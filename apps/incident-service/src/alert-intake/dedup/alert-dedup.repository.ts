import { Inject, Injectable } from '@nestjs/common';
import { commandEventId } from '@fireline/event-store/event-id';
import type { Pool } from 'pg';
import { INCIDENT_PG_POOL } from '../../incident-service.tokens';
import { ALERT_SEVERITIES, type AlertSeverity } from '../domain/alert.values';
import type { AlertCommand } from '../domain/alert.commands';
import { alertStreamId } from '../domain/alert-stream';

/** 4 critical, 3 error, 2 warning, 1 info. */
const rankOf = (severity: AlertSeverity): number => ALERT_SEVERITIES.length - ALERT_SEVERITIES.indexOf(severity);

/** A trigger absorbed by `alert_dedup`: the open incarnation it is counted into. */
export interface AbsorbedTrigger {
  incarnation: number;
}

/** A trigger that may be absorbed: its alert stream and severity as `alert_dedup.severity_rank`. */
export interface AbsorbableTrigger {
  streamId: string;
  severityRank: number;
}

/**
 * The commands of one delivery, if they are what the cheap path can absorb: a lone ungrouped trigger
 * (Events v2; a grouped Alertmanager delivery, an acknowledge or a resolve always takes the full path).
 */
export function absorbableTrigger(commands: readonly AlertCommand[]): AbsorbableTrigger | null {
  const [command] = commands;
  if (commands.length !== 1 || command.type !== 'TriggerAlert' || command.data.fingerprint !== undefined) return null;
  return { streamId: alertStreamId(command.data.integrationId, command.data.dedupKey), severityRank: rankOf(command.data.severity) };
}

/**
 * The SQL condition on `alert_dedup d` under which a trigger of stream `stream` with severity rank
 * `rank` (SQL expressions, e.g. parameters) is absorbed: the alert is open, at least as severe, and no
 * resolve follows the version the row mirrors (a resolve appended but not yet mirrored makes the trigger
 * take the full path, where the decider opens a new incarnation). Used at intake
 * (`AlertIntakeRepository.insertAcceptedOrAbsorbed`) and for a recorded row (`absorbTrigger`).
 */
export function openAlertToAbsorb(stream: string, rank: string): string {
  return `d.stream_id = ${stream} AND d.open AND d.severity_rank >= ${rank}
    AND NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = ${stream} AND e.version > d.stream_version AND e.event_type = 'AlertResolved')`;
}

/** The state of an alert stream after a command, as `alert_dedup` keeps it. */
export interface AlertDedupState {
  streamId: string;
  integrationId: string;
  dedupKey: string;
  incarnation: number;
  open: boolean;
  /** The stream's version this state was folded at. */
  streamVersion: number;
  /** Triggers in the incarnation according to the stream (1 on open). */
  triggerCount: number;
  /** The alert's severity after the command (the mirror keeps the highest of the incarnation). */
  severity: AlertSeverity;
  /** The command's time. */
  at: Date;
}

/*
 * The ledger row is locked first (`FOR UPDATE`, its own row only) and must still be unprocessed, so
 * that a row processed twice at once (the request and the recovery worker after a lapsed lease) is
 * closed once. The dedup row must be open, at least as severe as the trigger (a more severe one takes
 * the full path, which raises the incident), and no resolve may follow the version it mirrors: a resolve
 * appended but not yet mirrored makes the fence fail and the trigger takes the full path (the decider
 * then opens a new incarnation). Retriggers appended meanwhile do not fail it (they leave the alert
 * open), so a burst that started on the full path drains into the cheap one instead of feeding itself.
 * The dedup row is only read: the trigger is counted later (`COUNT_ABSORBED_SQL`), so concurrent
 * duplicates never wait on each other.
 */
export const ABSORB_SQL = `
WITH delivery AS (
  SELECT id FROM alert_intake WHERE id = $2 AND processed_at IS NULL FOR UPDATE
), open_alert AS (
  SELECT d.incarnation FROM alert_dedup d
  WHERE ${openAlertToAbsorb('$1', '$3')}
    AND EXISTS (SELECT 1 FROM delivery)
    AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = $4)
), absorbed AS (
  UPDATE alert_intake i
  SET verdict = 'duplicate', processed_at = now(), next_attempt_at = NULL, error = NULL,
      reason = 'deduplicated into open incarnation ' || o.incarnation,
      absorbed_stream_id = $1, absorbed_incarnation = o.incarnation
  FROM open_alert o
  WHERE i.id = $2
  RETURNING o.incarnation, i.received_at
), uncounted AS (
  INSERT INTO alert_dedup_uncounted (intake_id, stream_id, incarnation, received_at) SELECT $2, $1, incarnation, received_at FROM absorbed
)
SELECT incarnation FROM absorbed`;

/*
 * Folds up to $1 absorbed triggers waiting in `alert_dedup_uncounted` into their alert's counter and
 * last-seen time, and deletes them, in one statement (`SKIP LOCKED`: instances split the rows). A
 * trigger absorbed into an incarnation that has closed since changes nothing.
 */
const COUNT_ABSORBED_SQL = `
WITH batch AS (
  DELETE FROM alert_dedup_uncounted
  WHERE ctid = ANY (ARRAY(SELECT ctid FROM alert_dedup_uncounted LIMIT $1 FOR UPDATE SKIP LOCKED))
  RETURNING stream_id, incarnation, received_at
), sums AS (
  SELECT stream_id, incarnation, count(*)::int AS n, max(received_at) AS last_seen FROM batch GROUP BY 1, 2
), folded AS (
  UPDATE alert_dedup d SET trigger_count = d.trigger_count + s.n, last_seen_at = greatest(d.last_seen_at, s.last_seen)
  FROM sums s WHERE d.stream_id = s.stream_id AND d.incarnation = s.incarnation
  RETURNING 1
)
SELECT (SELECT count(*) FROM batch)::int AS rows, (SELECT count(*) FROM folded)::int AS alerts`;

/*
 * Newer stream versions win, so concurrent commands leave the newest state. Within one incarnation the
 * counter keeps the absorbed triggers (the stream only counts the ones that reached it).
 */
const RECORD_SQL = `
INSERT INTO alert_dedup AS d (stream_id, incarnation, open, stream_version, trigger_count, last_seen_at, severity_rank, integration_id, dedup_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (stream_id) DO UPDATE SET
  incarnation = EXCLUDED.incarnation,
  open = EXCLUDED.open,
  stream_version = EXCLUDED.stream_version,
  trigger_count = CASE WHEN d.incarnation = EXCLUDED.incarnation THEN greatest(d.trigger_count, EXCLUDED.trigger_count) ELSE EXCLUDED.trigger_count END,
  last_seen_at = CASE WHEN d.incarnation = EXCLUDED.incarnation THEN greatest(d.last_seen_at, EXCLUDED.last_seen_at) ELSE EXCLUDED.last_seen_at END,
  severity_rank = CASE WHEN d.incarnation = EXCLUDED.incarnation THEN greatest(d.severity_rank, EXCLUDED.severity_rank) ELSE EXCLUDED.severity_rank END
WHERE d.stream_version < EXCLUDED.stream_version`;

/**
 * Deduplication of identical triggers before the stream append (as PagerDuty does: a repeated trigger of
 * an open alert only counts). Absorbing is one statement that only reads `alert_dedup` (at intake:
 * `AlertIntakeRepository.insertAcceptedOrAbsorbed`; for a row already recorded: `absorbTrigger`): no
 * stream read, no append, no version conflict, no lock shared between deliveries. `countAbsorbed` folds
 * the absorbed rows into the counter and last-seen time afterwards (`AlertDedupCounterWorker`, every
 * second). The alert command path (`ExecuteAlertCommandHandler`) mirrors every stream change here with
 * `record`.
 */
@Injectable()
export class AlertDedupRepository {
  constructor(@Inject(INCIDENT_PG_POOL) private readonly pool: Pool) {}

  /**
   * Closes ledger row `intakeId` as a `duplicate` absorbed into the open incarnation of its stream (to be
   * counted by `countAbsorbed`), if the alert is open and the mirror is current; else `null` (nothing
   * changed: take the full path). Also `null` when the row's own command already reached the stream (its first
   * event, `commandEventId(intakeId, 0)`, is stored): a retry after the ledger update was lost (database
   * outage between the append and the verdict) is that same trigger, not a duplicate of it; the full
   * path finds its events and records the row as accepted.
   */
  async absorbTrigger({ streamId, severityRank }: AbsorbableTrigger, intakeId: string): Promise<AbsorbedTrigger | null> {
    const result = await this.pool.query<{ incarnation: number }>({
      name: 'fireline_alert_dedup_absorb',
      text: ABSORB_SQL,
      values: [streamId, intakeId, severityRank, commandEventId(intakeId, 0)],
    });
    const row = result.rows[0];
    return row ? { incarnation: row.incarnation } : null;
  }

  /**
   * Counts up to `limit` absorbed triggers not counted yet into their alerts (`trigger_count`,
   * `last_seen_at`). @returns how many absorbed deliveries were counted (0: none left).
   */
  async countAbsorbed(limit: number): Promise<number> {
    const result = await this.pool.query<{ rows: number }>({ name: 'fireline_alert_dedup_count_absorbed', text: COUNT_ABSORBED_SQL, values: [limit] });
    return result.rows[0]?.rows ?? 0;
  }

  /** Mirrors a stream's state after a command (ignored when a newer version is already mirrored). */
  async record(state: AlertDedupState): Promise<void> {
    await this.pool.query({
      name: 'fireline_alert_dedup_record',
      text: RECORD_SQL,
      values: [state.streamId, state.incarnation, state.open, state.streamVersion, state.triggerCount, state.at, rankOf(state.severity), state.integrationId, state.dedupKey],
    });
  }

  /**
   * A grouped delivery's members: `firing` fingerprints were sent as firing at `at` (last seen), `resolved`
   * ones are gone from the group.
   */
  async touchMembers(streamId: string, firing: string[], resolved: string[], at: Date): Promise<void> {
    if (firing.length > 0) {
      await this.pool.query({
        name: 'fireline_alert_members_touch',
        text: `INSERT INTO alert_members (stream_id, fingerprint, last_seen_at) SELECT $1, f, $3 FROM unnest($2::text[]) AS f
               ON CONFLICT (stream_id, fingerprint) DO UPDATE SET last_seen_at = greatest(alert_members.last_seen_at, EXCLUDED.last_seen_at)`,
        values: [streamId, firing, at],
      });
    }
    if (resolved.length > 0) {
      await this.pool.query('DELETE FROM alert_members WHERE stream_id = $1 AND fingerprint = ANY($2::text[])', [streamId, resolved]);
    }
  }

  /** The mirrored state of a stream, with its counter and last-seen time; `null` before its first trigger. */
  async find(streamId: string): Promise<(AlertDedupState & { lastSeenAt: Date }) | null> {
    const result = await this.pool.query<{
      incarnation: number;
      open: boolean;
      stream_version: string;
      trigger_count: number;
      last_seen_at: Date;
      severity_rank: number;
      integration_id: string;
      dedup_key: string;
    }>(
      'SELECT incarnation, open, stream_version, trigger_count, last_seen_at, severity_rank, integration_id, dedup_key FROM alert_dedup WHERE stream_id = $1',
      [streamId],
    );
    const row = result.rows[0];
    if (!row) return null;
    return {
      streamId,
      integrationId: row.integration_id,
      dedupKey: row.dedup_key,
      incarnation: row.incarnation,
      open: row.open,
      streamVersion: Number(row.stream_version),
      triggerCount: row.trigger_count,
      severity: ALERT_SEVERITIES[ALERT_SEVERITIES.length - row.severity_rank],
      at: row.last_seen_at,
      lastSeenAt: row.last_seen_at,
    };
  }
}
