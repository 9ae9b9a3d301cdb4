import type { StatusPageIntegrationEventV1 } from '@fireline/contracts';
import type { EventStore, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import { evolveStatusPageView, type StatusPageView } from '../domain/status-page-view';
import type { StatusPageEvent } from '../domain/status-page.events';
import { toStatusPageIntegrationEvent } from './status-page-integration-event.mapper';

/**
 * Maps a page of stored status-page events to public v1 events. Each carries the page as it stood right
 * after the event, so each page stream in the batch is read (in the relay's transaction) up to the
 * batch's last version and folded event by event.
 */
export async function mapStatusPageEventsPage(store: EventStore, page: RecordedEvent[], tx: PoolClient, baseUrl: string): Promise<StatusPageIntegrationEventV1[]> {
  const lastVersion = new Map<string, number>();
  for (const event of page) lastVersion.set(event.streamId, Math.max(lastVersion.get(event.streamId) ?? 0, event.version));
  const viewAfter = new Map<string, StatusPageView | null>();
  for (const [streamId, toVersion] of lastVersion) {
    const { events } = await store.readStream(streamId, { toVersion, client: tx });
    let view: StatusPageView | null = null;
    for (const recorded of events) {
      view = evolveStatusPageView(view, { type: recorded.type, data: recorded.data } as StatusPageEvent);
      viewAfter.set(recorded.eventId, view);
    }
  }
  return page.flatMap((recorded) => {
    const mapped = toStatusPageIntegrationEvent(recorded, viewAfter.get(recorded.eventId) ?? null, baseUrl);
    return mapped ? [mapped] : [];
  });
}
