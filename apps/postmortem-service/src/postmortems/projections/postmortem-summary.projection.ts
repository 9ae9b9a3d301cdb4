import type { Projection, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import type { PostmortemEvent } from '../domain/postmortem.events';
import { isClosedActionItemStatus } from '../domain/postmortem.state';
import { toPostmortemEvent } from '../application/postmortem-stream';
import { quoteTable } from './projection-table';

/**
 * `postmortem_summaries`: one row per postmortem for the list endpoint, with action item counts.
 * Every update is guarded by the stream version, so a re-applied event changes nothing.
 */
export const postmortemSummaryProjection: Projection = {
  name: 'postmortem-service.postmortem-summaries',
  tableName: 'postmortem_summaries',
  eventTypes: ['PostmortemDrafted', 'PostmortemUpdated', 'PostmortemTimelineExtended', 'PostmortemStatusChanged', 'ActionItemAdded', 'ActionItemUpdated', 'ActionItemStatusChanged'],
  async apply(events: RecordedEvent[], tx: PoolClient, table: string): Promise<void> {
    const target = quoteTable(table);
    for (const recorded of events) await applyOne(toPostmortemEvent(recorded), recorded.version, tx, target);
  },
};

async function applyOne(event: PostmortemEvent, version: number, tx: PoolClient, table: string): Promise<void> {
  const { postmortemId, at } = event.data;
  const update = (assignments: string, values: unknown[] = []): Promise<unknown> =>
    tx.query(`UPDATE ${table} SET ${assignments}${assignments ? ', ' : ''}version = $2, updated_at = $3 WHERE id = $1 AND version < $2`, [
      postmortemId,
      version,
      at,
      ...values,
    ]);
  switch (event.type) {
    case 'PostmortemDrafted':
      await tx.query(
        `INSERT INTO ${table} (id, incident_id, title, status, due_at, action_items_total, action_items_open, version, created_at, updated_at)
         VALUES ($1, $2, $3, 'draft', $4, 0, 0, $5, $6, $6) ON CONFLICT (id) DO NOTHING`,
        [postmortemId, event.data.incidentId, event.data.title, event.data.dueAt, version, at],
      );
      return;
    case 'PostmortemUpdated':
      if (event.data.changes.title !== undefined) await update('title = $4', [event.data.changes.title]);
      else await update('');
      return;
    case 'PostmortemStatusChanged':
      await update('status = $4', [event.data.to]);
      return;
    case 'ActionItemAdded':
      await update(`action_items_total = action_items_total + 1, action_items_open = action_items_open + $4`, [
        isClosedActionItemStatus(event.data.status) ? 0 : 1,
      ]);
      return;
    case 'ActionItemStatusChanged': {
      const delta = Number(isClosedActionItemStatus(event.data.from)) - Number(isClosedActionItemStatus(event.data.to));
      await update('action_items_open = action_items_open + $4', [delta]);
      return;
    }
    case 'PostmortemTimelineExtended':
    case 'ActionItemUpdated':
      await update('');
      return;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
