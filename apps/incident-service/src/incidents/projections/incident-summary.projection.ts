import type { Projection, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import { INCIDENT_EVENT_TYPES, type IncidentEvent } from '../domain/incident.events';
import { isHumanActor } from '../domain/postmortem-policy';

/**
 * Keeps `incident_summaries` (see `IncidentSummaryEntity`): one row per incident with the columns the
 * list and the dashboard need. Each event is one statement, guarded by the stream version so that a
 * replayed event cannot move a row backwards. Writes only to the `table` it is given (the live table,
 * or the shadow table during a rebuild). `human_acted` / `auto_resolved` (the dashboard's
 * `autoResolved` filter) come from the events' `by` and the declaration's `detectionSource` only.
 */
export const incidentSummaryProjection: Projection = {
  name: 'incident-service.incident-summaries',
  tableName: 'incident_summaries',
  eventTypes: [...INCIDENT_EVENT_TYPES],
  async apply(events: RecordedEvent[], tx: PoolClient, table: string): Promise<void> {
    for (const recorded of events) await applyOne(recorded as RecordedEvent<IncidentEvent['type'], IncidentEvent['data']>, tx, table);
  },
};

async function applyOne(recorded: RecordedEvent<IncidentEvent['type'], IncidentEvent['data']>, tx: PoolClient, table: string): Promise<void> {
  const event = { type: recorded.type, data: recorded.data } as IncidentEvent;
  const { incidentId, at, by } = event.data;
  const human = isHumanActor(by);
  // $4 is whether a human did this; `human_acted` in an assignment is the value before this event.
  const update = async (assignments: string, params: unknown[] = []) => {
    await tx.query(
      `UPDATE ${table} SET ${assignments ? `${assignments}, ` : ''}human_acted = human_acted OR $4, version = $2, updated_at = $3 WHERE id = $1 AND version < $2`,
      [incidentId, recorded.version, at, human, ...params],
    );
  };
  switch (event.type) {
    case 'IncidentDeclared': {
      const d = event.data;
      await tx.query(
        `INSERT INTO ${table} (id, title, severity, status, services, detection_source, declared_at, version, updated_at, human_acted, auto_resolved)
         VALUES ($1, $2, $3, 'detected', $4, $5, $6, $7, $6, $8, false) ON CONFLICT (id) DO NOTHING`,
        [incidentId, d.title, d.severity, d.services, d.detectionSource, at, recorded.version, human],
      );
      return;
    }
    case 'IncidentAcknowledged':
      return update('acknowledged_at = coalesce(acknowledged_at, $3)');
    case 'IncidentStatusChanged':
      return update('status = $5', [event.data.to]);
    case 'IncidentSeverityChanged':
      return update('severity = $5', [event.data.to]);
    case 'IncidentRoleAssigned':
      return event.data.role === 'incident_commander' ? update('commander = $5', [event.data.assignee]) : update('');
    case 'IncidentResolved':
      return update(`status = 'resolved', resolved_at = $3, auto_resolved = detection_source LIKE 'alert:%' AND NOT (human_acted OR $4)`);
    case 'IncidentReopened':
      return update(`status = 'investigating', resolved_at = NULL, auto_resolved = false`);
    case 'IncidentClosed':
      return update(`status = 'closed', closed_at = $3`);
    case 'TimelineNoteAdded':
    case 'StatusUpdatePosted':
      return update('');
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
