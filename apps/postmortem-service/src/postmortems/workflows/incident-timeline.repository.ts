import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { TimelineEntry } from '../domain/postmortem.state';
import type { IncidentTimelineEntryRow } from './incident-timeline-entry.mapper';

interface TimelineRow {
  event_id: string;
  occurred_at: Date;
  type: string;
  actor: string;
  summary: string;
}

/**
 * `incident_timeline_entries`: this service's own copy of each incident's timeline, written from the
 * incident events it consumes. Every method runs on the caller's transaction (the consumer's inbox tx).
 */
@Injectable()
export class IncidentTimelineRepository {
  /** Stores the entry once; a repeated event id is ignored. */
  async record(tx: PoolClient, row: IncidentTimelineEntryRow): Promise<void> {
    await tx.query(
      `INSERT INTO incident_timeline_entries (incident_id, event_id, occurred_at, type, actor, summary, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
       ON CONFLICT (event_id) DO NOTHING`,
      [row.incidentId, row.eventId, row.occurredAt, row.type, row.actor, row.summary, JSON.stringify(row.details)],
    );
  }

  /** The incident's entries by time of occurrence, then arrival. */
  async timelineOf(tx: PoolClient, incidentId: string): Promise<TimelineEntry[]> {
    const result = await tx.query<TimelineRow>(
      `SELECT event_id::text AS event_id, occurred_at, type, actor, summary
       FROM incident_timeline_entries WHERE incident_id = $1 ORDER BY occurred_at, seq`,
      [incidentId],
    );
    return result.rows.map((row) => ({
      eventId: row.event_id,
      at: row.occurred_at.toISOString(),
      type: row.type,
      actor: row.actor,
      summary: row.summary,
    }));
  }
}
