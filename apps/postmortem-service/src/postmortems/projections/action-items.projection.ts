import type { Projection, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import type { ActionItemChanges, PostmortemEvent } from '../domain/postmortem.events';
import { toPostmortemEvent } from '../application/postmortem-stream';
import { quoteTable } from './projection-table';

/** Columns of the changeable action item fields. */
const CHANGE_COLUMNS: Record<keyof ActionItemChanges, string> = {
  title: 'title',
  owner: 'owner',
  dueDate: 'due_date',
  priority: 'priority',
  description: 'description',
};

/**
 * `action_items`: every action item of every postmortem, for `GET /v1/action-items` (owner, status,
 * overdue). Updates are guarded by the postmortem stream version (re-applying changes nothing).
 */
export const actionItemsProjection: Projection = {
  name: 'postmortem-service.action-items',
  tableName: 'action_items',
  eventTypes: ['ActionItemAdded', 'ActionItemUpdated', 'ActionItemStatusChanged'],
  async apply(events: RecordedEvent[], tx: PoolClient, table: string): Promise<void> {
    const target = quoteTable(table);
    for (const recorded of events) await applyOne(toPostmortemEvent(recorded), recorded.version, tx, target);
  },
};

async function applyOne(event: PostmortemEvent, version: number, tx: PoolClient, table: string): Promise<void> {
  switch (event.type) {
    case 'ActionItemAdded': {
      const d = event.data;
      await tx.query(
        `INSERT INTO ${table} (id, postmortem_id, incident_id, title, owner, due_date, priority, status, description, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8, $9, $10, $11, $11) ON CONFLICT (id) DO NOTHING`,
        [d.actionItemId, d.postmortemId, d.incidentId, d.title, d.owner, d.dueDate, d.priority, d.status, d.description, version, d.at],
      );
      return;
    }
    case 'ActionItemUpdated': {
      const entries = (Object.keys(CHANGE_COLUMNS) as (keyof ActionItemChanges)[]).filter((key) => event.data.changes[key] !== undefined);
      const assignments = entries.map((key, index) => `${CHANGE_COLUMNS[key]} = $${index + 4}${key === 'dueDate' ? '::date' : ''}`);
      await tx.query(
        `UPDATE ${table} SET ${[...assignments, 'version = $2', 'updated_at = $3'].join(', ')} WHERE id = $1 AND version < $2`,
        [event.data.actionItemId, version, event.data.at, ...entries.map((key) => event.data.changes[key])],
      );
      return;
    }
    case 'ActionItemStatusChanged':
      await tx.query(`UPDATE ${table} SET status = $4, version = $2, updated_at = $3 WHERE id = $1 AND version < $2`, [
        event.data.actionItemId,
        version,
        event.data.at,
        event.data.to,
      ]);
      return;
    case 'PostmortemDrafted':
    case 'PostmortemUpdated':
    case 'PostmortemTimelineExtended':
    case 'PostmortemStatusChanged':
      return;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
