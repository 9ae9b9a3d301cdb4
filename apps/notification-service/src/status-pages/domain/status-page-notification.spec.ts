import { aComponentStatusChanged, aMaintenanceScheduled, aPublishedIncident, aStatusPage, aStatusPageChanged, aStatusPageIncidentPublished } from '../testing/status-page-event.factory';
import { asStatusPageEventV1, pageCopyAfter } from './status-page-copy';
import { notificationOf, wantsNotification } from './status-page-notification';
import { statuspageWebhookBody } from './statuspage-webhook-body';
import { displayedSubscriberPayload } from './subscriber-payload.mask';

describe('notificationOf', () => {
  const page = aStatusPage();
  const [api, database] = page.components;

  it('tells subscribers of incidents, maintenance and component changes, not of page set-up or detail edits', () => {
    const incident = aPublishedIncident(page, [api!]);
    expect(notificationOf(aStatusPageIncidentPublished(page, incident))).toMatchObject({ kind: 'incident', change: 'created' });
    expect(notificationOf(aComponentStatusChanged(page, database!, 'major_outage'))).toMatchObject({ kind: 'component', newStatus: 'major_outage' });
    expect(notificationOf(aMaintenanceScheduled(page, [database!]))).toMatchObject({ kind: 'maintenance', change: 'scheduled' });
    expect(notificationOf(aStatusPageChanged(page))).toBeNull();
    const details = { ...aStatusPageIncidentPublished(page, incident), type: 'StatusPageIncidentUpdated' as const };
    expect(notificationOf({ ...details, data: { ...details.data, update: null, change: 'details' } })).toBeNull();
  });
});

describe('wantsNotification', () => {
  const page = aStatusPage();
  const [api, database] = page.components;

  it('reaches page-wide subscribers always, per-component ones only when one of their components is concerned', () => {
    const onApi = notificationOf(aStatusPageIncidentPublished(page, aPublishedIncident(page, [api!])))!;
    const noComponent = notificationOf(aStatusPageIncidentPublished(page, aPublishedIncident(page, [])))!;
    expect(wantsNotification({ componentIds: [] }, onApi)).toBe(true);
    expect(wantsNotification({ componentIds: [api!.id] }, onApi)).toBe(true);
    expect(wantsNotification({ componentIds: [database!.id] }, onApi)).toBe(false);
    expect(wantsNotification({ componentIds: [database!.id] }, noComponent)).toBe(false);
    expect(wantsNotification({ componentIds: [] }, noComponent)).toBe(true);
  });
});

describe('pageCopyAfter', () => {
  it('keeps components it knew when an event from an older producer lacks page.components', () => {
    const page = aStatusPage();
    const known = pageCopyAfter(aStatusPageChanged(page), null);
    expect(known.components).toHaveLength(2);
    const { components: _dropped, ...older } = page;
    const changed = aComponentStatusChanged(older, page.components[1]!, 'partial_outage');
    expect(pageCopyAfter(changed, known).components.map((c) => c.status)).toEqual(['operational', 'partial_outage']);
  });

  it('ignores envelopes that are not v1 status-page events it understands', () => {
    const event = aStatusPageChanged(aStatusPage());
    expect(asStatusPageEventV1({ ...event, version: 2 })).toBeNull();
    expect(asStatusPageEventV1({ ...event, type: 'StatusPageSomethingNew' })).toBeNull();
    expect(asStatusPageEventV1({ ...event, data: { pageId: event.data.pageId } })).toBeNull();
    expect(asStatusPageEventV1(event)).toBe(event);
  });
});

describe('statuspageWebhookBody', () => {
  it('has Statuspage subscriber webhook fields: meta, page, and component_update with component', () => {
    const page = aStatusPage();
    const event = aComponentStatusChanged(page, page.components[0]!, 'major_outage');
    const body = statuspageWebhookBody(notificationOf(event)!, 'https://status.example.com/u?token=secret-token');
    expect(body).toEqual({
      meta: { unsubscribe: 'https://status.example.com/u?token=secret-token', documentation: expect.stringContaining('atlassian.com'), generated_at: event.occurredAt },
      page: { id: page.id, status_indicator: 'none', status_description: 'All Systems Operational' },
      component_update: { old_status: 'operational', new_status: 'major_outage', created_at: event.occurredAt, component_type: 'Component', id: event.eventId, component_id: page.components[0]!.id },
      component: { status: 'major_outage', name: 'API', id: page.components[0]!.id, page_id: page.id, group_id: null },
    });
    expect(displayedSubscriberPayload('webhook', JSON.stringify(body))).toMatchObject({ meta: { unsubscribe: 'https://status.example.com/u?token=…oken' } });
  });
});
