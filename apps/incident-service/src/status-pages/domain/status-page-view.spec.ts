import { aPageWithComponents, minutesAfter, TEST_PAGE_ACTOR, TEST_PAGE_ID } from '../testing/status-page.factories';
import type { StatusPageEvent } from './status-page.events';
import { foldStatusPageView, VIEW_HISTORY_LIMIT, VIEW_UPDATES_LIMIT } from './status-page-view';

const base = (minutes: number) => ({ pageId: TEST_PAGE_ID, at: minutesAfter(minutes).toISOString(), by: TEST_PAGE_ACTOR });
const published = (incidentId: string, minutes: number): StatusPageEvent => ({ type: 'IncidentPublished', data: { ...base(minutes), incidentId, name: incidentId, impacts: [], startedAt: base(minutes).at } });
const resolved = (incidentId: string, minutes: number): StatusPageEvent => ({
  type: 'PublishedIncidentResolved',
  data: { ...base(minutes), incidentId, sourceId: 'resolved:1', resolvedAt: base(minutes).at, update: { id: `${incidentId}-r`, status: 'resolved', body: 'done', displayAt: base(minutes).at } },
});

describe(foldStatusPageView.name, () => {
  it('keeps every open incident but only the most recent resolved ones, and bounds updates per incident', () => {
    const history: StatusPageEvent[] = [...aPageWithComponents(), published('open-1', 0)];
    for (let i = 0; i < VIEW_HISTORY_LIMIT + 10; i++) history.push(published(`old-${i}`, i + 1), resolved(`old-${i}`, i + 1));
    for (let i = 0; i < VIEW_UPDATES_LIMIT + 5; i++) {
      history.push({ type: 'IncidentUpdatePublished', data: { ...base(500 + i), incidentId: 'open-1', sourceId: `update:${i}`, update: { id: `u${i}`, status: 'investigating', body: `#${i}`, displayAt: base(500 + i).at } } });
    }
    const view = foldStatusPageView(history)!;
    expect(view.incidents.filter((i) => i.resolvedAt !== null)).toHaveLength(VIEW_HISTORY_LIMIT);
    expect(view.incidents.some((i) => i.id === 'old-0')).toBe(false);
    const open = view.incidents.find((i) => i.id === 'open-1')!;
    expect(open.updates).toHaveLength(VIEW_UPDATES_LIMIT);
    expect(open.updates[0].body).toBe(`#${VIEW_UPDATES_LIMIT + 4}`);
  });

  it('never lets a late event move times backwards (a workflow catching up with earlier incident times)', () => {
    const view = foldStatusPageView([
      ...aPageWithComponents(),
      { type: 'ComponentStatusChanged', data: { ...base(10), componentId: 'api', from: 'operational', to: 'major_outage', cause: { kind: 'manual' } } },
      { type: 'ComponentStatusChanged', data: { ...base(5), componentId: 'api', from: 'major_outage', to: 'operational', cause: { kind: 'manual' } } },
    ])!;
    expect(view.components[0].history.map((p) => p.at)).toEqual([minutesAfter(0).toISOString(), minutesAfter(10).toISOString(), minutesAfter(10).toISOString()]);
    expect(view.updatedAt).toBe(minutesAfter(10).toISOString());
  });
});
