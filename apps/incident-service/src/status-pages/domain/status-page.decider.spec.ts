import { foldEvents } from '@fireline/event-store/decider';
import { IllegalStateError, NotFoundError, ValidationError } from '@fireline/errors';
import { aPageCommand, aPageWithComponents, minutesAfter, someIncidentFacts } from '../testing/status-page.factories';
import { statusPageDecider } from './status-page.decider';
import type { StatusPageCommand } from './status-page.commands';
import type { StatusPageEvent } from './status-page.events';

function decide(history: StatusPageEvent[], ...commands: StatusPageCommand[]): { events: StatusPageEvent[]; all: StatusPageEvent[] } {
  const all = [...history];
  let events: StatusPageEvent[] = [];
  for (const command of commands) {
    events = statusPageDecider.decide(command, foldEvents(statusPageDecider, all));
    all.push(...events);
  }
  return { events, all };
}

const statusChanges = (events: StatusPageEvent[]) =>
  events.flatMap((e) => (e.type === 'ComponentStatusChanged' ? [`${e.data.componentId}:${e.data.from}->${e.data.to}`] : []));

const publish = (incidentId: string, impacts: { componentId: string; status: 'degraded_performance' | 'partial_outage' | 'major_outage' }[], minutes = 1) =>
  aPageCommand('PublishIncident', { incidentId, name: 'Checkout errors', impacts, incident: someIncidentFacts({ incidentId }) }, minutes);

const resolvedFacts = (incidentId: string, minutes: number) =>
  someIncidentFacts({ incidentId, resolved: true, updates: [{ sourceId: 'resolved:1', kind: 'resolved', status: 'resolved', body: 'This incident has been resolved.', at: minutesAfter(minutes).toISOString() }] });

describe('statusPageDecider', () => {
  it('creates a page, and refuses a second page with the same id (the id derives from the slug)', () => {
    const create = aPageCommand('CreateStatusPage', { slug: 'acme', name: ' Acme ', timeZone: 'Europe/Berlin' });
    const { events, all } = decide([], create);
    expect(events).toEqual([expect.objectContaining({ type: 'StatusPageCreated', data: expect.objectContaining({ slug: 'acme', name: 'Acme', url: null, description: '' }) })]);
    expect(() => decide(all, create)).toThrow(IllegalStateError);
  });

  it.each([
    ['slug', { slug: 'Acme!', name: 'Acme', timeZone: 'UTC' }],
    ['slug', { slug: '-acme', name: 'Acme', timeZone: 'UTC' }],
    ['timeZone', { slug: 'acme', name: 'Acme', timeZone: 'Mars/Olympus' }],
    ['timeZone', { slug: 'acme', name: 'Acme', timeZone: '+01:00' }],
    ['name', { slug: 'acme', name: '   ', timeZone: 'UTC' }],
    ['name', { slug: 'acme', name: 'x'.repeat(101), timeZone: 'UTC' }],
    ['url', { slug: 'acme', name: 'Acme', timeZone: 'UTC', url: 'javascript:alert(1)' }],
  ])('rejects a page when %s is invalid', (field, data) => {
    const error = (() => {
      try {
        decide([], aPageCommand('CreateStatusPage', data as never));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors.map((e) => e.field)).toContain(field);
  });

  it('refuses any command on a page that does not exist', () => {
    expect(() => decide([], aPageCommand('AddComponent', { componentId: 'api', name: 'API' }))).toThrow(NotFoundError);
  });

  it('raises impacted components when an incident is published, with the backfilled external updates', () => {
    const facts = someIncidentFacts({ updates: [{ sourceId: 'update:u1', kind: 'update', status: 'identified', body: 'Found it', at: minutesAfter(-1).toISOString() }] });
    const { events } = decide(aPageWithComponents(), aPageCommand('PublishIncident', { incidentId: 'inc-1', name: 'Checkout errors', impacts: [{ componentId: 'api', status: 'major_outage' }], incident: facts }));
    expect(events.map((e) => e.type)).toEqual(['IncidentPublished', 'IncidentUpdatePublished', 'ComponentStatusChanged']);
    expect(statusChanges(events)).toEqual(['api:operational->major_outage']);
    expect(events[1]).toMatchObject({ data: { update: { status: 'identified', body: 'Found it', displayAt: minutesAfter(-1).toISOString() } } });
  });

  it('restores the components of a resolved incident, except one another open incident still impacts', () => {
    const { all } = decide(aPageWithComponents(), publish('inc-1', [{ componentId: 'api', status: 'major_outage' }, { componentId: 'web', status: 'degraded_performance' }]), publish('inc-2', [{ componentId: 'web', status: 'partial_outage' }], 2));
    expect(statusChanges(all)).toEqual(['api:operational->major_outage', 'web:operational->degraded_performance', 'web:degraded_performance->partial_outage']);
    const { events } = decide(all, aPageCommand('SyncPublishedIncident', { incidentId: 'inc-1', incident: resolvedFacts('inc-1', 10) }, 10));
    expect(events.map((e) => e.type)).toEqual(['PublishedIncidentResolved', 'ComponentStatusChanged']);
    expect(statusChanges(events)).toEqual(['api:major_outage->operational']);
  });

  it('publishes nothing twice when the same facts are synced again (a replayed workflow)', () => {
    const { all } = decide(aPageWithComponents(), publish('inc-1', [{ componentId: 'api', status: 'major_outage' }]), aPageCommand('SyncPublishedIncident', { incidentId: 'inc-1', incident: resolvedFacts('inc-1', 10) }, 10));
    expect(decide(all, aPageCommand('SyncPublishedIncident', { incidentId: 'inc-1', incident: resolvedFacts('inc-1', 10) }, 11)).events).toEqual([]);
  });

  it('ignores a sync for an incident that is not published on the page', () => {
    expect(decide(aPageWithComponents(), aPageCommand('SyncPublishedIncident', { incidentId: 'inc-9', incident: someIncidentFacts({ incidentId: 'inc-9' }) })).events).toEqual([]);
  });

  it('keeps a component at its own status when an incident on it resolves', () => {
    const { all } = decide(aPageWithComponents(), aPageCommand('SetComponentStatus', { componentId: 'api', status: 'degraded_performance' }), publish('inc-1', [{ componentId: 'api', status: 'major_outage' }]));
    const { events } = decide(all, aPageCommand('SyncPublishedIncident', { incidentId: 'inc-1', incident: resolvedFacts('inc-1', 10) }, 10));
    expect(statusChanges(events)).toEqual(['api:major_outage->degraded_performance']);
  });

  it('refuses impacts on components that are not on the page, and publishing an incident twice', () => {
    expect(() => decide(aPageWithComponents(), publish('inc-1', [{ componentId: 'nope', status: 'major_outage' }]))).toThrow(NotFoundError);
    const { all } = decide(aPageWithComponents(), publish('inc-1', []));
    expect(() => decide(all, publish('inc-1', []))).toThrow(IllegalStateError);
  });

  it('restores components when an incident is unpublished', () => {
    const { all } = decide(aPageWithComponents(), publish('inc-1', [{ componentId: 'web', status: 'partial_outage' }]));
    expect(statusChanges(decide(all, aPageCommand('UnpublishIncident', { incidentId: 'inc-1' })).events)).toEqual(['web:partial_outage->operational']);
  });

  describe('maintenance', () => {
    const schedule = aPageCommand('ScheduleMaintenance', {
      maintenanceId: 'm-1',
      name: 'Database upgrade',
      message: 'We will upgrade the database.',
      scheduledFor: minutesAfter(60).toISOString(),
      scheduledUntil: minutesAfter(120).toISOString(),
      componentIds: ['api'],
    });

    it('puts components under maintenance while it runs and restores them when it completes', () => {
      const { all, events: started } = decide(aPageWithComponents(), schedule, aPageCommand('AdvanceMaintenance', { maintenanceId: 'm-1', status: 'in_progress', automatic: true }, 60));
      expect(started.map((e) => e.type)).toEqual(['MaintenanceAdvanced', 'ComponentStatusChanged']);
      expect(statusChanges(started)).toEqual(['api:operational->under_maintenance']);
      const { events: completed } = decide(all, aPageCommand('AdvanceMaintenance', { maintenanceId: 'm-1', status: 'completed', automatic: true }, 120));
      expect(statusChanges(completed)).toEqual(['api:under_maintenance->operational']);
    });

    it('lets a timer act only from the status it was set for (a human got there first: no-op)', () => {
      const { all } = decide(aPageWithComponents(), schedule, aPageCommand('AdvanceMaintenance', { maintenanceId: 'm-1', status: 'completed' }, 30));
      expect(decide(all, aPageCommand('AdvanceMaintenance', { maintenanceId: 'm-1', status: 'in_progress', automatic: true }, 60)).events).toEqual([]);
      expect(decide(aPageWithComponents(), schedule, aPageCommand('AdvanceMaintenance', { maintenanceId: 'm-1', status: 'completed', automatic: true }, 120)).events).toEqual([]);
    });

    it('refuses a backward move by hand', () => {
      const { all } = decide(aPageWithComponents(), schedule, aPageCommand('AdvanceMaintenance', { maintenanceId: 'm-1', status: 'completed' }, 30));
      expect(() => decide(all, aPageCommand('AdvanceMaintenance', { maintenanceId: 'm-1', status: 'in_progress' }, 31))).toThrow(IllegalStateError);
    });

    it.each([
      ['scheduledUntil', { scheduledFor: minutesAfter(60).toISOString(), scheduledUntil: minutesAfter(30).toISOString() }],
      ['scheduledUntil', { scheduledFor: minutesAfter(-120).toISOString(), scheduledUntil: minutesAfter(-60).toISOString() }],
      ['scheduledFor', { scheduledFor: 'tomorrow', scheduledUntil: minutesAfter(60).toISOString() }],
      ['scheduledUntil', { scheduledFor: minutesAfter(60).toISOString(), scheduledUntil: minutesAfter(60 + 31 * 1440).toISOString() }],
    ])('rejects a window when %s is wrong', (field, window) => {
      try {
        decide(aPageWithComponents(), aPageCommand('ScheduleMaintenance', { ...schedule.data, ...window }));
        throw new Error('accepted');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).fieldErrors.map((e) => e.field)).toContain(field);
      }
    });
  });
});
