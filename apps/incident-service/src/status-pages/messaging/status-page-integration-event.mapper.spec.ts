import type { StatusPageChangedV1, StatusPageComponentStatusChangedV1 } from '@fireline/contracts';
import type { RecordedEvent } from '@fireline/event-store';
import { evolveStatusPageView, type StatusPageView } from '../domain/status-page-view';
import type { StatusPageEvent } from '../domain/status-page.events';
import { aPageWithComponents, minutesAfter, TEST_PAGE_ACTOR, TEST_PAGE_ID } from '../testing/status-page.factories';
import { toStatusPageIntegrationEvent } from './status-page-integration-event.mapper';

const BASE_URL = 'https://status.example.com';

/** Each event of `history` mapped with the view right after it, as the relay does. */
function mapAll(history: StatusPageEvent[]) {
  let view: StatusPageView | null = null;
  return history.map((event, index) => {
    view = evolveStatusPageView(view, event);
    const recorded = {
      eventId: `event-${index}`,
      streamId: `status-page-${TEST_PAGE_ID}`,
      version: index + 1,
      type: event.type,
      data: event.data,
      metadata: { correlationId: 'corr-1' },
    } as unknown as RecordedEvent;
    return toStatusPageIntegrationEvent(recorded, view, BASE_URL);
  });
}

const at = (minutes: number) => ({ pageId: TEST_PAGE_ID, at: minutesAfter(minutes).toISOString(), by: TEST_PAGE_ACTOR });

describe(toStatusPageIntegrationEvent.name, () => {
  it('publishes the page and component set-up as StatusPageChanged with every component, so a consumer needs no other event', () => {
    const mapped = mapAll([
      ...aPageWithComponents(),
      { type: 'ComponentUpdated', data: { ...at(1), componentId: 'web', name: 'Web app', description: '', groupId: null, showcase: true, onlyShowIfDegraded: false } },
      { type: 'ComponentRemoved', data: { ...at(2), componentId: 'api' } },
      { type: 'StatusPageUpdated', data: { ...at(3), name: 'Acme Corp', timeZone: 'Europe/Berlin', description: '', url: null } },
    ]) as StatusPageChangedV1[];

    expect(mapped.map((e) => [e.type, e.data.change])).toEqual([
      ['StatusPageChanged', 'created'],
      ['StatusPageChanged', 'components'],
      ['StatusPageChanged', 'components'],
      ['StatusPageChanged', 'components'],
      ['StatusPageChanged', 'components'],
      ['StatusPageChanged', 'updated'],
    ]);
    expect(mapped[0].data.page).toMatchObject({ id: TEST_PAGE_ID, slug: 'acme', name: 'Acme', url: `${BASE_URL}/status/acme`, components: [] });
    expect(mapped[2].data.page.components).toEqual([
      { id: 'api', name: 'API', status: 'operational', groupId: null },
      { id: 'web', name: 'Website', status: 'operational', groupId: null },
    ]);
    expect(mapped[4].data.page.components).toEqual([{ id: 'web', name: 'Web app', status: 'operational', groupId: null }]);
    expect(mapped[5].data.page.name).toBe('Acme Corp');
    expect(mapped.every((e) => e.version === 1 && e.data.actor === TEST_PAGE_ACTOR && e.streamId === `status-page-${TEST_PAGE_ID}`)).toBe(true);
  });

  it('carries the components as they stand after the event on every other event too', () => {
    const mapped = mapAll([
      ...aPageWithComponents(),
      { type: 'ComponentStatusSet', data: { ...at(1), componentId: 'api', status: 'partial_outage' } },
      { type: 'ComponentStatusChanged', data: { ...at(1), componentId: 'api', from: 'operational', to: 'partial_outage', cause: { kind: 'manual' } } },
    ]);

    // The hand-set status itself is not published: what the page shows is.
    expect(mapped[3]).toBeNull();
    const changed = mapped[4] as StatusPageComponentStatusChangedV1;
    expect(changed.type).toBe('StatusPageComponentStatusChanged');
    expect(changed.data.page.components).toEqual([
      { id: 'api', name: 'API', status: 'partial_outage', groupId: null },
      { id: 'web', name: 'Website', status: 'operational', groupId: null },
    ]);
    expect(changed.data.page).toMatchObject({ statusIndicator: 'major', statusDescription: 'Partial System Outage' });
  });
});
