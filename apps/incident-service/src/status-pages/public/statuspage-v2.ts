import { DateTime } from 'luxon';
import type { StatusPageView, ViewComponent, ViewIncident, ViewMaintenance } from '../domain/status-page-view';
import { pageStatusOf, worstComponentStatus } from '../domain/status-page.values';

/**
 * Atlassian Statuspage public API v2 bodies (`/api/v2/*.json`) from a page's view, with Statuspage's field
 * names and shapes, so that status aggregators and widgets read Fireline unchanged. The field lists and
 * their source are in docs/status-pages.md. Times are ISO-8601 with the page time zone's offset, as
 * Statuspage writes them.
 */
export type StatuspageV2Resource =
  | 'summary'
  | 'status'
  | 'components'
  | 'incidents'
  | 'incidents/unresolved'
  | 'scheduled-maintenances'
  | 'scheduled-maintenances/upcoming'
  | 'scheduled-maintenances/active';

export const STATUSPAGE_V2_RESOURCES: readonly StatuspageV2Resource[] = [
  'summary',
  'status',
  'components',
  'incidents',
  'incidents/unresolved',
  'scheduled-maintenances',
  'scheduled-maintenances/upcoming',
  'scheduled-maintenances/active',
];

/** How many incidents / maintenances the list resources return (Statuspage: 50). */
const LIST_LIMIT = 50;

/** The absolute URL of the page: its own `url`, else `<baseUrl>/status/<slug>`. */
export function pageUrlOf(view: Pick<StatusPageView, 'url' | 'slug'>, baseUrl: string): string {
  return view.url ?? `${baseUrl.replace(/\/+$/, '')}/status/${view.slug}`;
}

/** Builds one resource's body (a plain object, ready for `JSON.stringify`). */
export function statuspageV2Body(resource: StatuspageV2Resource, view: StatusPageView, baseUrl: string): Record<string, unknown> {
  const s = new StatuspageV2Shapes(view, pageUrlOf(view, baseUrl));
  const page = s.page();
  const unresolved = view.incidents.filter((i) => i.resolvedAt === null);
  const upcoming = view.maintenances.filter((m) => m.status === 'scheduled');
  const active = view.maintenances.filter((m) => m.status === 'in_progress' || m.status === 'verifying');
  switch (resource) {
    case 'summary':
      return {
        page,
        components: s.components(),
        incidents: unresolved.map((i) => s.incident(i)),
        scheduled_maintenances: [...active, ...upcoming].sort(byScheduledFor).map((m) => s.maintenance(m)),
        status: s.status(),
      };
    case 'status':
      return { page, status: s.status() };
    case 'components':
      return { page, components: s.components() };
    case 'incidents':
      return { page, incidents: [...view.incidents].sort(newestFirst).slice(0, LIST_LIMIT).map((i) => s.incident(i)) };
    case 'incidents/unresolved':
      return { page, incidents: [...unresolved].sort(newestFirst).map((i) => s.incident(i)) };
    case 'scheduled-maintenances':
      return { page, scheduled_maintenances: [...view.maintenances].sort((a, b) => -byScheduledFor(a, b)).slice(0, LIST_LIMIT).map((m) => s.maintenance(m)) };
    case 'scheduled-maintenances/upcoming':
      return { page, scheduled_maintenances: upcoming.sort(byScheduledFor).map((m) => s.maintenance(m)) };
    case 'scheduled-maintenances/active':
      return { page, scheduled_maintenances: active.sort(byScheduledFor).map((m) => s.maintenance(m)) };
    default: {
      const _never: never = resource;
      return _never;
    }
  }
}

const newestFirst = (a: { createdAt: string }, b: { createdAt: string }) => Date.parse(b.createdAt) - Date.parse(a.createdAt);
const byScheduledFor = (a: ViewMaintenance, b: ViewMaintenance) => Date.parse(a.scheduledFor) - Date.parse(b.scheduledFor);

class StatuspageV2Shapes {
  constructor(
    private readonly view: StatusPageView,
    private readonly url: string,
  ) {}

  /** ISO-8601 with the page zone's offset (`2026-03-01T11:00:00.000+01:00`). */
  time(iso: string): string;
  time(iso: string | null): string | null;
  time(iso: string | null): string | null {
    return iso === null ? null : (DateTime.fromISO(iso, { zone: this.view.timeZone }).toISO() ?? iso);
  }

  page() {
    const v = this.view;
    return { id: v.id, name: v.name, url: this.url, time_zone: v.timeZone, updated_at: this.time(v.updatedAt) };
  }

  status() {
    return pageStatusOf(this.view.components.map((c) => c.status));
  }

  component(c: ViewComponent) {
    return {
      id: c.id,
      name: c.name,
      status: c.status,
      created_at: this.time(c.createdAt),
      updated_at: this.time(c.updatedAt),
      position: c.position,
      description: c.description === '' ? null : c.description,
      showcase: c.showcase,
      start_date: DateTime.fromISO(c.createdAt, { zone: this.view.timeZone }).toISODate(),
      group_id: c.groupId,
      page_id: this.view.id,
      group: false,
      only_show_if_degraded: c.onlyShowIfDegraded,
    };
  }

  /** Components and groups in position order; a group is a component with `group: true` and its members' ids. */
  components() {
    const v = this.view;
    const groups = v.groups.map((g) => {
      const members = v.components.filter((c) => c.groupId === g.id);
      return {
        position: g.position,
        body: {
          id: g.id,
          name: g.name,
          status: worstComponentStatus(members.map((c) => c.status)),
          created_at: this.time(g.createdAt),
          updated_at: this.time(g.updatedAt),
          position: g.position,
          description: null,
          showcase: false,
          start_date: null,
          group_id: null,
          page_id: v.id,
          group: true,
          only_show_if_degraded: false,
          components: members.map((c) => c.id),
        } as Record<string, unknown>,
      };
    });
    const components = v.components.map((c) => ({ position: c.position, body: this.component(c) as Record<string, unknown> }));
    return [...groups, ...components].sort((a, b) => a.position - b.position).map((entry) => entry.body);
  }

  private update(incidentId: string, u: { id: string; status: string; body: string; createdAt: string; displayAt?: string }) {
    return {
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: incidentId,
      created_at: this.time(u.createdAt),
      updated_at: this.time(u.createdAt),
      display_at: this.time(u.displayAt ?? u.createdAt),
      affected_components: null,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    };
  }

  private componentsOf(ids: string[]) {
    return this.view.components.filter((c) => ids.includes(c.id)).map((c) => this.component(c));
  }

  incident(i: ViewIncident) {
    return {
      id: i.id,
      name: i.name,
      status: i.status,
      created_at: this.time(i.createdAt),
      updated_at: this.time(i.updatedAt),
      monitoring_at: this.time(i.monitoringAt),
      resolved_at: this.time(i.resolvedAt),
      impact: i.impact,
      shortlink: `${this.url}#incident-${i.id}`,
      started_at: this.time(i.startedAt),
      page_id: this.view.id,
      incident_updates: i.updates.map((u) => this.update(i.id, u)),
      components: this.componentsOf(i.impacts.map((impact) => impact.componentId)),
    };
  }

  maintenance(m: ViewMaintenance) {
    return {
      id: m.id,
      name: m.name,
      status: m.status,
      created_at: this.time(m.createdAt),
      updated_at: this.time(m.updatedAt),
      monitoring_at: this.time(m.verifyingAt),
      resolved_at: this.time(m.completedAt),
      impact: 'maintenance',
      shortlink: `${this.url}#maintenance-${m.id}`,
      started_at: this.time(m.startedAt ?? m.scheduledFor),
      page_id: this.view.id,
      incident_updates: m.updates.map((u) => this.update(m.id, u)),
      components: this.componentsOf(m.componentIds),
      scheduled_for: this.time(m.scheduledFor),
      scheduled_until: this.time(m.scheduledUntil),
    };
  }
}
