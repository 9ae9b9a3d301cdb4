import type { Projection, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import { evolveStatusPageView, type StatusPageView } from '../domain/status-page-view';
import { STATUS_PAGE_EVENT_TYPES, type StatusPageEvent } from '../domain/status-page.events';

/**
 * Keeps `status_page_views`: per page, the `StatusPageView` document folded from its events and the
 * stream version it reflects. A page of events is applied per stream: one read, the fold, one upsert;
 * events at or below the stored version are skipped (a replayed page changes nothing). Writes only to
 * the `table` it is given (rebuildable).
 */
export const statusPageViewProjection: Projection = {
  name: 'incident-service.status-page-views',
  tableName: 'status_page_views',
  eventTypes: [...STATUS_PAGE_EVENT_TYPES],
  async apply(events: RecordedEvent[], tx: PoolClient, table: string): Promise<void> {
    const byStream = new Map<string, RecordedEvent[]>();
    for (const event of events) byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
    for (const streamEvents of byStream.values()) await applyStream(streamEvents, tx, table);
  },
};

async function applyStream(events: RecordedEvent[], tx: PoolClient, table: string): Promise<void> {
  const pageId = (events[0].data as { pageId: string }).pageId;
  const row = await tx.query<{ version: number; document: StatusPageView }>(`SELECT version, document FROM ${table} WHERE page_id = $1 FOR UPDATE`, [pageId]);
  let version = row.rows[0]?.version ?? 0;
  let view: StatusPageView | null = row.rows[0]?.document ?? null;
  for (const recorded of events) {
    if (recorded.version <= version) continue;
    view = evolveStatusPageView(view, { type: recorded.type, data: recorded.data } as StatusPageEvent);
    version = recorded.version;
  }
  if (view === null) return;
  await tx.query(
    `INSERT INTO ${table} (page_id, slug, name, version, document, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (page_id) DO UPDATE SET name = excluded.name, version = excluded.version, document = excluded.document, updated_at = excluded.updated_at
     WHERE ${table}.version < excluded.version`,
    [pageId, view.slug, view.name, version, JSON.stringify(view), view.createdAt, view.updatedAt],
  );
}
