import type { IncidentIntegrationEventV1 } from '@fireline/contracts';
import type { EventStore, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import type { IncidentEvent } from '../domain/incident.events';
import { evolveIncident, initialIncidentState, type IncidentState } from '../domain/incident.state';
import { toIncidentIntegrationEvent, type RecordedIncidentEvent } from './incident-integration-event.mapper';

/**
 * Maps a page of stored incident events to public v1 integration events. Each public event carries the
 * incident as it stood right after the event, so for every stream in the page the stream is read (in
 * the relay's transaction) up to the page's last version and folded event by event.
 */
export async function mapIncidentEventsPage(store: EventStore, page: RecordedEvent[], tx: PoolClient): Promise<IncidentIntegrationEventV1[]> {
  const lastVersionByStream = new Map<string, number>();
  for (const event of page) lastVersionByStream.set(event.streamId, Math.max(lastVersionByStream.get(event.streamId) ?? 0, event.version));

  const stateAfter = new Map<string, IncidentState>(); // key: eventId
  for (const [streamId, toVersion] of lastVersionByStream) {
    const { events } = await store.readStream(streamId, { toVersion, client: tx });
    let state: IncidentState = initialIncidentState;
    for (const recorded of events) {
      state = evolveIncident(state, { type: recorded.type, data: recorded.data } as IncidentEvent);
      stateAfter.set(recorded.eventId, state);
    }
  }
  return page.map((recorded) => toIncidentIntegrationEvent(recorded as RecordedIncidentEvent, stateAfter.get(recorded.eventId) ?? initialIncidentState));
}
