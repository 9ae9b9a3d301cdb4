import type { Projection, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import type { StatusPageEvent } from '../domain/status-page.events';

/**
 * Keeps `status_page_timers` from maintenance events: a `MaintenanceScheduled` with `autoStart` /
 * `autoComplete` adds a `start` timer due at `scheduledFor` / a `complete` timer due at `scheduledUntil`;
 * a start (by hand or timer) removes the start timer, completion removes both. So the table holds
 * exactly the timers still to fire, durable across restarts, and rebuildable from the events (a timer
 * whose command had already run fires again after a rebuild and appends nothing: see the worker).
 */
export const maintenanceTimersProjection: Projection = {
  name: 'incident-service.status-page-timers',
  tableName: 'status_page_timers',
  eventTypes: ['MaintenanceScheduled', 'MaintenanceAdvanced'],
  async apply(events: RecordedEvent[], tx: PoolClient, table: string): Promise<void> {
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as StatusPageEvent;
      if (event.type === 'MaintenanceScheduled') {
        const { pageId, maintenanceId, autoStart, autoComplete, scheduledFor, scheduledUntil } = event.data;
        const timers = [...(autoStart ? [['start', scheduledFor]] : []), ...(autoComplete ? [['complete', scheduledUntil]] : [])];
        for (const [kind, dueAt] of timers) {
          await tx.query(`INSERT INTO ${table} (page_id, maintenance_id, kind, due_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [pageId, maintenanceId, kind, dueAt]);
        }
      } else if (event.type === 'MaintenanceAdvanced') {
        const { pageId, maintenanceId, update } = event.data;
        const kinds = update.status === 'completed' ? ['start', 'complete'] : ['start'];
        await tx.query(`DELETE FROM ${table} WHERE page_id = $1 AND maintenance_id = $2 AND kind = ANY($3::text[])`, [pageId, maintenanceId, kinds]);
      }
    }
  },
};
