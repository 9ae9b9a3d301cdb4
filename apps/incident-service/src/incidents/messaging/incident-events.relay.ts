import type { IncidentIntegrationEventV1 } from '@fireline/contracts';
import type { EventStore, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import type { IncidentEvent } from '../domain/incident.events';
import { evolveIncident, initialIncidentState, type IncidentState } from '../domain/incident.state';
import { toIncidentIntegrationEvent, type RecordedIncidentEvent } from './incident-integration-event.mapper';

/** Whether `events` (one stream's, in page order) are its versions 1, 2, … with none missing: the whole stream up to the last. */
function isWholeStreamFromStart(events: RecordedEvent[]): boolean {
  return events.every((event, index) => event.version === index + 1);
}

/**
 * Maps a page of stored incident events to public v1 integration events. Each public event carries the
 * incident as it stood right after the event, so for every stream in the page the stream is read (in
 * the relay's transaction) up to the page's last version and folded event by event — unless the page
 * itself holds that stream from its first event (a new incident): then its own events are folded (one
 * read per new incident less; the page's events are the store's own, neither side has upcasters).
 */
export async function mapIncidentEventsPage(store: EventStore, page: RecordedEvent[], tx: PoolClient): Promise<IncidentIntegrationEventV1[]> {
  const pageEventsByStream = new Map<string, RecordedEvent[]>();
  for (const event of page) {
    const events = pageEventsByStream.get(event.streamId);
    if (events) events.push(event);
    else pageEventsByStream.set(event.streamId, [event]);
  }

  const stateAfter = new Map<string, IncidentState>(); // key: eventId
  for (const [streamId, pageEvents] of pageEventsByStream) {
    const { events } = isWholeStreamFromStart(pageEvents)
      ? { events: pageEvents }
      : await store.readStream(streamId, { toVersion: Math.max(...pageEvents.map((event) => event.version)), client: tx });
    let state: IncidentState = initialIncidentState;
    for (const recorded of events) {
      state = evolveIncident(state, { type: recorded.type, data: recorded.data } as IncidentEvent);
      stateAfter.set(recorded.eventId, state);
    }
  }
  return page.map((recorded) => toIncidentIntegrationEvent(recorded as RecordedIncidentEvent, stateAfter.get(recorded.eventId) ?? initialIncidentState));
}
