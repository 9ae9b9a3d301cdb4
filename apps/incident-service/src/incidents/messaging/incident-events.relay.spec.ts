import type { EventStore, RecordedEvent } from '@fireline/event-store';
import type { PoolClient } from 'pg';
import { aRecordedIncidentEvent, anIncidentAcknowledged, anIncidentDeclared, anIncidentSeverityChanged } from '../testing/incident.factories';
import { mapIncidentEventsPage } from './incident-events.relay';

const tx = {} as PoolClient;

/** A store that serves `streams` (id -> events) and counts its reads. */
function storeOf(streams: Record<string, RecordedEvent[]>) {
  const reads: string[] = [];
  const store = {
    readStream: async (streamId: string, options: { toVersion?: number } = {}) => {
      reads.push(streamId);
      const events = (streams[streamId] ?? []).filter((event) => options.toVersion === undefined || event.version <= options.toVersion);
      return { events, currentVersion: events.at(-1)?.version ?? 0 };
    },
  } as unknown as EventStore;
  return { store, reads };
}

const recorded = (event: Parameters<typeof aRecordedIncidentEvent>[0], version: number, eventId: string) =>
  aRecordedIncidentEvent(event, { version, eventId, streamId: `incident-${event.data.incidentId}` }) as RecordedEvent;

describe(mapIncidentEventsPage.name, () => {
  const declared = recorded(anIncidentDeclared({ incidentId: 'inc-1', severity: 'SEV3' }), 1, '00000000-0000-4000-8000-000000000001');
  const raised = recorded(anIncidentSeverityChanged({ incidentId: 'inc-1', from: 'SEV3', to: 'SEV1' }), 2, '00000000-0000-4000-8000-000000000002');
  const acknowledged = recorded(anIncidentAcknowledged({ incidentId: 'inc-1' }), 3, '00000000-0000-4000-8000-000000000003');

  it('folds a page that holds a stream from its first event without reading the store, as reading it would', async () => {
    const { store, reads } = storeOf({ 'incident-inc-1': [declared, raised] });
    const fromPage = await mapIncidentEventsPage(store, [declared, raised], tx);
    expect(reads).toEqual([]);
    expect(fromPage.map((event) => [event.type, event.data.incident.severity])).toEqual([
      ['IncidentDeclared', 'SEV3'],
      ['IncidentSeverityChanged', 'SEV1'],
    ]);

    // The same page, its stream read instead (the page lacks the first event): the same public events.
    const { store: readingStore, reads: readingReads } = storeOf({ 'incident-inc-1': [declared, raised, acknowledged] });
    expect(await mapIncidentEventsPage(readingStore, [raised], tx)).toEqual([fromPage[1]]);
    expect(readingReads).toEqual(['incident-inc-1']);
  });

  it('reads the stream when the page starts later or misses a version', async () => {
    const { store, reads } = storeOf({ 'incident-inc-1': [declared, raised, acknowledged] });
    const mapped = await mapIncidentEventsPage(store, [declared, acknowledged], tx);
    expect(reads).toEqual(['incident-inc-1']);
    // Acknowledged on top of the raised severity, which only the stream knew.
    expect(mapped[1].data.incident.severity).toBe('SEV1');
  });
});
