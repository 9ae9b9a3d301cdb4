import type { ComponentImpact } from './status-page.commands';
import type { MaintenanceUpdate, PublishedUpdate, StatusPageEvent } from './status-page.events';
import { indicatorOf, worstComponentStatus, type ComponentStatus, type MaintenanceStatus, type PublicIncidentStatus, type StatusIndicator } from './status-page.values';

/** How many resolved incidents and completed maintenances the view keeps (Statuspage's `incidents.json` lists 50). */
export const VIEW_HISTORY_LIMIT = 50;
/** Updates kept per incident or maintenance (newest first): a runaway integration cannot grow the page without bound. */
export const VIEW_UPDATES_LIMIT = 200;
/** How much component-status history the view keeps: the 90-day uptime window plus a day of slack. */
export const VIEW_STATUS_HISTORY_DAYS = 91;

/** One point of a component's displayed-status history: from `at` on, it showed `status`. */
export interface StatusPoint {
  at: string;
  status: ComponentStatus;
}

export interface ViewComponent {
  id: string;
  name: string;
  description: string;
  groupId: string | null;
  /** 1-based order of addition (Statuspage `position`). */
  position: number;
  showcase: boolean;
  onlyShowIfDegraded: boolean;
  status: ComponentStatus;
  createdAt: string;
  updatedAt: string;
  /**
   * Displayed-status history, oldest first, starting at creation (`operational`): every point of the last
   * `VIEW_STATUS_HISTORY_DAYS` days before the latest one, plus the one before them (the status at the
   * window's start). Times never go backwards (a late event is clamped to its predecessor's time).
   */
  history: StatusPoint[];
}

export interface ViewGroup {
  id: string;
  name: string;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface ViewIncident {
  id: string;
  name: string;
  status: PublicIncidentStatus;
  impact: StatusIndicator;
  impacts: ComponentImpact[];
  /** When it was published on this page. */
  createdAt: string;
  updatedAt: string;
  /** The incident's declaration. */
  startedAt: string;
  monitoringAt: string | null;
  resolvedAt: string | null;
  /** Newest first (Statuspage's order). */
  updates: (PublishedUpdate & { createdAt: string })[];
}

export interface ViewMaintenance {
  id: string;
  name: string;
  status: MaintenanceStatus;
  scheduledFor: string;
  scheduledUntil: string;
  componentIds: string[];
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  verifyingAt: string | null;
  completedAt: string | null;
  /** Newest first, each with the time it was posted. */
  updates: (MaintenanceUpdate & { createdAt: string })[];
}

/**
 * The read model of one page: everything the public page, its Statuspage-compatible JSON and its feeds
 * show, folded from the page's events only (incident facts are copied onto the page stream). Plain JSON,
 * stored as one `jsonb` document per page, and the same fold answers `?at=`.
 */
export interface StatusPageView {
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  description: string;
  url: string | null;
  createdAt: string;
  updatedAt: string;
  groups: ViewGroup[];
  components: ViewComponent[];
  incidents: ViewIncident[];
  maintenances: ViewMaintenance[];
  /** Positions handed out so far (components and groups share Statuspage's position space). */
  positions: number;
}

/**
 * Folds one page event into the view (pure; `null` before `StatusPageCreated`). Keeps every unresolved
 * incident and unfinished maintenance, the last `VIEW_HISTORY_LIMIT` of the others, and the status
 * history the uptime bars need.
 */
export function evolveStatusPageView(view: StatusPageView | null, event: StatusPageEvent): StatusPageView | null {
  if (event.type === 'StatusPageCreated') {
    if (view !== null) return view;
    const { pageId, slug, name, timeZone, description, url, at } = event.data;
    return { id: pageId, slug, name, timeZone, description, url, createdAt: at, updatedAt: at, groups: [], components: [], incidents: [], maintenances: [], positions: 0 };
  }
  if (view === null) return null;
  const at = laterOf(view.updatedAt, event.data.at);
  const v: StatusPageView = { ...view, updatedAt: at };
  switch (event.type) {
    case 'StatusPageUpdated': {
      const { name, timeZone, description, url } = event.data;
      return { ...v, name, timeZone, description, url };
    }
    case 'ComponentGroupAdded':
      return { ...v, positions: v.positions + 1, groups: [...v.groups, { id: event.data.groupId, name: event.data.name, position: v.positions + 1, createdAt: at, updatedAt: at }] };
    case 'ComponentAdded': {
      const d = event.data;
      const component: ViewComponent = {
        id: d.componentId,
        name: d.name,
        description: d.description,
        groupId: d.groupId,
        position: v.positions + 1,
        showcase: d.showcase,
        onlyShowIfDegraded: d.onlyShowIfDegraded,
        status: 'operational',
        createdAt: at,
        updatedAt: at,
        history: [{ at, status: 'operational' }],
      };
      return { ...v, positions: v.positions + 1, components: [...v.components, component] };
    }
    case 'ComponentUpdated': {
      const { componentId, name, description, groupId, showcase, onlyShowIfDegraded } = event.data;
      return mapComponent(v, componentId, (c) => ({ ...c, name, description, groupId, showcase, onlyShowIfDegraded, updatedAt: at }));
    }
    case 'ComponentRemoved':
      return { ...v, components: v.components.filter((c) => c.id !== event.data.componentId) };
    case 'ComponentStatusSet':
      return v;
    case 'ComponentStatusChanged':
      return mapComponent(v, event.data.componentId, (c) => ({ ...c, status: event.data.to, updatedAt: at, history: pruneHistory([...c.history, { at, status: event.data.to }], at) }));
    case 'IncidentPublished': {
      const { incidentId, name, impacts, startedAt } = event.data;
      const incident: ViewIncident = {
        id: incidentId,
        name,
        status: 'investigating',
        impact: impactOf(impacts),
        impacts,
        createdAt: at,
        updatedAt: at,
        startedAt,
        monitoringAt: null,
        resolvedAt: null,
        updates: [],
      };
      return { ...v, incidents: pruneIncidents([incident, ...v.incidents.filter((i) => i.id !== incidentId)]) };
    }
    case 'PublishedIncidentChanged':
      return mapIncident(v, event.data.incidentId, (i) => ({ ...i, name: event.data.name, impacts: event.data.impacts, impact: impactOf(event.data.impacts), updatedAt: at }));
    case 'IncidentUpdatePublished':
      return mapIncident(v, event.data.incidentId, (i) => withIncidentUpdate(i, event.data.update, at));
    case 'PublishedIncidentResolved':
      return mapIncident(v, event.data.incidentId, (i) => ({ ...withIncidentUpdate(i, event.data.update, at), resolvedAt: event.data.resolvedAt }));
    case 'PublishedIncidentReopened':
      return mapIncident(v, event.data.incidentId, (i) => ({ ...withIncidentUpdate(i, event.data.update, at), resolvedAt: null }));
    case 'IncidentUnpublished':
      return { ...v, incidents: v.incidents.filter((i) => i.id !== event.data.incidentId) };
    case 'MaintenanceScheduled': {
      const d = event.data;
      const maintenance: ViewMaintenance = {
        id: d.maintenanceId,
        name: d.name,
        status: 'scheduled',
        scheduledFor: d.scheduledFor,
        scheduledUntil: d.scheduledUntil,
        componentIds: d.componentIds,
        createdAt: at,
        updatedAt: at,
        startedAt: null,
        verifyingAt: null,
        completedAt: null,
        updates: [{ ...d.update, createdAt: at }],
      };
      return { ...v, maintenances: pruneMaintenances([maintenance, ...v.maintenances]) };
    }
    case 'MaintenanceAdvanced': {
      const { update } = event.data;
      return mapMaintenance(v, event.data.maintenanceId, (m) => ({
        ...m,
        status: update.status,
        updatedAt: at,
        startedAt: update.status === 'in_progress' ? at : m.startedAt,
        verifyingAt: update.status === 'verifying' ? at : m.verifyingAt,
        completedAt: update.status === 'completed' ? at : m.completedAt,
        updates: [{ ...update, createdAt: at }, ...m.updates].slice(0, VIEW_UPDATES_LIMIT),
      }));
    }
    case 'MaintenanceUpdatePosted':
      return mapMaintenance(v, event.data.maintenanceId, (m) => ({ ...m, updatedAt: at, updates: [{ ...event.data.update, createdAt: at }, ...m.updates].slice(0, VIEW_UPDATES_LIMIT) }));
    default: {
      const _never: never = event;
      void _never;
      return v;
    }
  }
}

/** Folds `events` (stream order) from nothing. */
export function foldStatusPageView(events: Iterable<StatusPageEvent>): StatusPageView | null {
  let view: StatusPageView | null = null;
  for (const event of events) view = evolveStatusPageView(view, event);
  return view;
}

/** An incident's Statuspage `impact`: from the worst status its impacts name. */
export function impactOf(impacts: readonly ComponentImpact[]): StatusIndicator {
  return indicatorOf(worstComponentStatus(impacts.map((impact) => impact.status)));
}

function laterOf(a: string, b: string): string {
  return Date.parse(b) >= Date.parse(a) ? b : a;
}

function withIncidentUpdate(incident: ViewIncident, update: PublishedUpdate, at: string): ViewIncident {
  const monitoringAt = incident.monitoringAt ?? (update.status === 'monitoring' ? update.displayAt : null);
  return { ...incident, status: update.status, monitoringAt, updatedAt: at, updates: [{ ...update, createdAt: at }, ...incident.updates].slice(0, VIEW_UPDATES_LIMIT) };
}

function mapComponent(view: StatusPageView, id: string, change: (component: ViewComponent) => ViewComponent): StatusPageView {
  return { ...view, components: view.components.map((c) => (c.id === id ? change(c) : c)) };
}

function mapIncident(view: StatusPageView, id: string, change: (incident: ViewIncident) => ViewIncident): StatusPageView {
  return { ...view, incidents: pruneIncidents(view.incidents.map((i) => (i.id === id ? change(i) : i))) };
}

function mapMaintenance(view: StatusPageView, id: string, change: (maintenance: ViewMaintenance) => ViewMaintenance): StatusPageView {
  return { ...view, maintenances: pruneMaintenances(view.maintenances.map((m) => (m.id === id ? change(m) : m))) };
}

/** Every unresolved incident, then the last `VIEW_HISTORY_LIMIT` resolved ones; newest published first. */
function pruneIncidents(incidents: ViewIncident[]): ViewIncident[] {
  let resolved = 0;
  return incidents.filter((i) => i.resolvedAt === null || ++resolved <= VIEW_HISTORY_LIMIT);
}

function pruneMaintenances(maintenances: ViewMaintenance[]): ViewMaintenance[] {
  let completed = 0;
  return maintenances.filter((m) => m.status !== 'completed' || ++completed <= VIEW_HISTORY_LIMIT);
}

/** Drops points the uptime window no longer needs (keeping the last one before it: the status at its start). */
function pruneHistory(history: StatusPoint[], latest: string): StatusPoint[] {
  const cutoff = Date.parse(latest) - VIEW_STATUS_HISTORY_DAYS * 86_400_000;
  const firstInWindow = history.findIndex((point) => Date.parse(point.at) >= cutoff);
  const kept = firstInWindow <= 0 ? history : history.slice(firstInWindow - 1);
  return kept;
}
