import { foldStatusPageView } from '../domain/status-page-view';
import type { StatusPageEvent } from '../domain/status-page.events';
import { aPageWithComponents, minutesAfter, TEST_PAGE_ACTOR, TEST_PAGE_ID } from '../testing/status-page.factories';
import { statuspageV2Body } from './statuspage-v2';

const base = (minutes: number) => ({ pageId: TEST_PAGE_ID, at: minutesAfter(minutes).toISOString(), by: TEST_PAGE_ACTOR });

const history: StatusPageEvent[] = [
  ...aPageWithComponents(),
  { type: 'ComponentGroupAdded', data: { ...base(1), groupId: 'g-1', name: 'Payments' } },
  { type: 'ComponentAdded', data: { ...base(1), componentId: 'cards', name: 'Cards', description: 'Card payments', groupId: 'g-1', showcase: true, onlyShowIfDegraded: false } },
  { type: 'IncidentPublished', data: { ...base(2), incidentId: 'inc-1', name: 'Checkout errors', impacts: [{ componentId: 'cards', status: 'partial_outage' }], startedAt: minutesAfter(1).toISOString() } },
  { type: 'ComponentStatusChanged', data: { ...base(2), componentId: 'cards', from: 'operational', to: 'partial_outage', cause: { kind: 'incident', incidentId: 'inc-1' } } },
  { type: 'IncidentUpdatePublished', data: { ...base(3), incidentId: 'inc-1', sourceId: 'update:u1', update: { id: 'upd-1', status: 'identified', body: 'Found it', displayAt: minutesAfter(3).toISOString() } } },
  {
    type: 'MaintenanceScheduled',
    data: {
      ...base(4),
      maintenanceId: 'm-1',
      name: 'DB upgrade',
      scheduledFor: minutesAfter(60).toISOString(),
      scheduledUntil: minutesAfter(120).toISOString(),
      componentIds: ['api'],
      autoStart: true,
      autoComplete: true,
      update: { id: 'mu-1', status: 'scheduled', body: 'Upgrading' },
    },
  },
];
const view = foldStatusPageView(history)!;

/** Field lists of Statuspage's public API v2 objects (docs/status-pages.md gives the source). */
const PAGE_KEYS = ['id', 'name', 'url', 'time_zone', 'updated_at'];
const COMPONENT_KEYS = ['id', 'name', 'status', 'created_at', 'updated_at', 'position', 'description', 'showcase', 'start_date', 'group_id', 'page_id', 'group', 'only_show_if_degraded'];
const INCIDENT_KEYS = ['id', 'name', 'status', 'created_at', 'updated_at', 'monitoring_at', 'resolved_at', 'impact', 'shortlink', 'started_at', 'page_id', 'incident_updates', 'components'];
const UPDATE_KEYS = ['id', 'status', 'body', 'incident_id', 'created_at', 'updated_at', 'display_at', 'affected_components', 'deliver_notifications', 'custom_tweet', 'tweet_id'];
const sorted = (keys: string[]) => [...keys].sort();

describe(statuspageV2Body.name, () => {
  const summary = statuspageV2Body('summary', view, 'https://status.example.com') as Record<string, never>;

  it("uses Statuspage's field names for the page, components, groups, incidents, updates and maintenances", () => {
    expect(Object.keys(summary).sort()).toEqual(['components', 'incidents', 'page', 'scheduled_maintenances', 'status']);
    expect(Object.keys(summary.page).sort()).toEqual(sorted(PAGE_KEYS));
    const components = summary.components as Record<string, unknown>[];
    expect(Object.keys(components.find((c) => c.group === false)!).sort()).toEqual(sorted(COMPONENT_KEYS));
    expect(Object.keys(components.find((c) => c.group === true)!).sort()).toEqual(sorted([...COMPONENT_KEYS, 'components']));
    const incident = (summary.incidents as Record<string, unknown>[])[0];
    expect(Object.keys(incident).sort()).toEqual(sorted(INCIDENT_KEYS));
    expect(Object.keys((incident.incident_updates as Record<string, unknown>[])[0]).sort()).toEqual(sorted(UPDATE_KEYS));
    const maintenance = (summary.scheduled_maintenances as Record<string, unknown>[])[0];
    expect(Object.keys(maintenance).sort()).toEqual(sorted([...INCIDENT_KEYS, 'scheduled_for', 'scheduled_until']));
  });

  it('fills them as Statuspage does: times with the page offset, groups listing their members, worst member status on the group', () => {
    expect(summary.page).toEqual({ id: TEST_PAGE_ID, name: 'Acme', url: 'https://status.example.com/status/acme', time_zone: 'Europe/Berlin', updated_at: '2026-03-01T11:04:00.000+01:00' });
    expect(summary.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    const components = summary.components as Record<string, unknown>[];
    expect(components.map((c) => [c.name, c.position, c.status])).toEqual([
      ['API', 1, 'operational'],
      ['Website', 2, 'operational'],
      ['Payments', 3, 'partial_outage'],
      ['Cards', 4, 'partial_outage'],
    ]);
    expect(components[2]).toMatchObject({ group: true, components: ['cards'] });
    expect(components[3]).toMatchObject({ group_id: 'g-1', description: 'Card payments', start_date: '2026-03-01' });
    expect((summary.incidents as Record<string, unknown>[])[0]).toMatchObject({ status: 'identified', impact: 'major', started_at: '2026-03-01T11:01:00.000+01:00', resolved_at: null });
    expect((summary.scheduled_maintenances as Record<string, unknown>[])[0]).toMatchObject({ status: 'scheduled', impact: 'maintenance', scheduled_for: '2026-03-01T12:00:00.000+01:00' });
  });

  it('splits maintenances into upcoming and active, and incidents into all and unresolved', () => {
    expect((statuspageV2Body('scheduled-maintenances/upcoming', view, 'x') as { scheduled_maintenances: unknown[] }).scheduled_maintenances).toHaveLength(1);
    expect((statuspageV2Body('scheduled-maintenances/active', view, 'x') as { scheduled_maintenances: unknown[] }).scheduled_maintenances).toHaveLength(0);
    expect((statuspageV2Body('incidents/unresolved', view, 'x') as { incidents: unknown[] }).incidents).toHaveLength(1);
    expect(Object.keys(statuspageV2Body('status', view, 'x')).sort()).toEqual(['page', 'status']);
  });
});
