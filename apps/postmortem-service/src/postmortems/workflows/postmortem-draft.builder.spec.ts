import { anIncidentResolved } from '../testing/incident-events.factory';
import { aTimelineEntry } from '../testing/postmortem.factory';
import { buildPostmortemDraft } from './postmortem-draft.builder';
import { nameBasedUuid } from '@fireline/event-store';
import { postmortemIdForIncident } from './postmortem-identity';

describe(buildPostmortemDraft.name, () => {
  const resolved = anIncidentResolved(
    {
      incidentId: '2f0c6b1e-4a44-4c1d-9a5e-8c1f2d3e4b5a',
      occurredAt: '2025-03-01T11:30:29.000Z',
      incident: { title: 'Checkout errors', severity: 'SEV1', services: ['checkout'], declaredAt: '2025-03-01T10:00:00.000Z' },
    },
    'Rolled back deploy 4711',
  );
  const timeline = [aTimelineEntry({ eventId: 'a' }), aTimelineEntry({ eventId: 'b', at: '2025-03-01T11:30:29.000Z', type: 'IncidentResolved' })];

  it('drafts the blameless facts of the incident and leaves the analysis empty', () => {
    expect(buildPostmortemDraft({ postmortemId: 'pm-1', resolved, timeline, dueHours: 48 })).toEqual({
      postmortemId: 'pm-1',
      incidentId: '2f0c6b1e-4a44-4c1d-9a5e-8c1f2d3e4b5a',
      title: 'Postmortem: Checkout errors',
      summary: 'Rolled back deploy 4711',
      impact: { severity: 'SEV1', services: ['checkout'], durationMinutes: 90, description: '' },
      timeline,
      dueAt: '2025-03-03T11:30:29.000Z',
    });
  });

  it('uses the configured due hours', () => {
    expect(buildPostmortemDraft({ postmortemId: 'pm-1', resolved, timeline, dueHours: 24 }).dueAt).toBe('2025-03-02T11:30:29.000Z');
  });

  it('never reports a negative duration when the clocks disagree', () => {
    const early = anIncidentResolved({ occurredAt: '2025-03-01T09:59:00.000Z', incident: { declaredAt: '2025-03-01T10:00:00.000Z' } });
    expect(buildPostmortemDraft({ postmortemId: 'pm-1', resolved: early, timeline: [], dueHours: 48 }).impact.durationMinutes).toBe(0);
  });

  it('shortens very long titles to the allowed length', () => {
    const long = anIncidentResolved({ incident: { title: 'x'.repeat(300) } });
    expect(buildPostmortemDraft({ postmortemId: 'pm-1', resolved: long, timeline: [], dueHours: 48 }).title).toHaveLength(200);
  });
});

describe(postmortemIdForIncident.name, () => {
  it('derives one stable UUID per incident', () => {
    const id = postmortemIdForIncident('2f0c6b1e-4a44-4c1d-9a5e-8c1f2d3e4b5a');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(postmortemIdForIncident('2f0c6b1e-4a44-4c1d-9a5e-8c1f2d3e4b5a')).toBe(id);
    expect(postmortemIdForIncident('3f0c6b1e-4a44-4c1d-9a5e-8c1f2d3e4b5a')).not.toBe(id);
    expect(id).toBe(nameBasedUuid('postmortem:2f0c6b1e-4a44-4c1d-9a5e-8c1f2d3e4b5a'));
  });
});
