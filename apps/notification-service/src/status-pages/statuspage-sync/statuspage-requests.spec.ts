import { aComponentStatusChanged, aMaintenanceScheduled, aPublishedIncident, aStatusPage, aStatusPageIncidentPublished, aStatusPageIncidentResolved } from '../testing/status-page-event.factory';
import { statuspageCallsFor } from './statuspage-requests';

describe('statuspageCallsFor', () => {
  const page = aStatusPage();
  const [api, database] = page.components;

  it('creates an incident with its marker, impact and first update, after making sure its components exist', () => {
    const incident = aPublishedIncident(page, [api!]);
    expect(statuspageCallsFor(aStatusPageIncidentPublished(page, incident))).toEqual([
      { kind: 'ensure-components', components: incident.components },
      {
        kind: 'create-incident',
        firelineId: incident.id,
        objectKind: 'incident',
        incident: { name: incident.name, status: 'investigating', impact_override: 'major', body: incident.updates[0]!.body, deliver_notifications: true, metadata: { fireline: { id: incident.id } } },
        componentStatuses: { [api!.id]: 'major_outage' },
      },
    ]);
  });

  it('posts a resolution as an incident update with its status and text', () => {
    const incident = aPublishedIncident(page, [api!]);
    const calls = statuspageCallsFor(aStatusPageIncidentResolved(page, incident));
    expect(calls.at(-1)).toEqual({ kind: 'update-incident', firelineId: incident.id, objectKind: 'incident', incident: { status: 'resolved', body: 'Fixed.' }, componentStatuses: { [api!.id]: 'operational' } });
  });

  it('schedules maintenance as a scheduled incident whose timers stay with Fireline', () => {
    const [, create] = statuspageCallsFor(aMaintenanceScheduled(page, [database!]));
    expect(create).toMatchObject({
      kind: 'create-incident',
      objectKind: 'maintenance',
      incident: { status: 'scheduled', scheduled_for: '2026-03-02T01:00:00.000Z', scheduled_until: '2026-03-02T02:00:00.000Z', scheduled_auto_in_progress: false, scheduled_auto_completed: false },
    });
  });

  it('sets a component status', () => {
    expect(statuspageCallsFor(aComponentStatusChanged(page, database!, 'partial_outage')).at(-1)).toEqual({ kind: 'set-component-status', componentId: database!.id, status: 'partial_outage' });
  });
});
