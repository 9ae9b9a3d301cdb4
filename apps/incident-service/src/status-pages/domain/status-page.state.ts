import type { ComponentImpact } from './status-page.commands';
import type { StatusPageEvent } from './status-page.events';
import { worstComponentStatus, type ComponentStatus, type MaintenanceStatus } from './status-page.values';

export interface NoStatusPage {
  status: 'none';
}

export interface PageComponent {
  id: string;
  name: string;
  description: string;
  groupId: string | null;
  showcase: boolean;
  onlyShowIfDegraded: boolean;
  /** Set by hand (`ComponentStatusSet`). */
  ownStatus: ComponentStatus;
  /** What the page shows (`ComponentStatusChanged`). */
  status: ComponentStatus;
}

export interface PagePublishedIncident {
  incidentId: string;
  name: string;
  impacts: ComponentImpact[];
  resolved: boolean;
  /** Every `sourceId` published, so that a repeated sync publishes nothing twice. */
  sourceIds: string[];
}

export interface PageMaintenance {
  id: string;
  status: MaintenanceStatus;
  componentIds: string[];
  scheduledFor: string;
  scheduledUntil: string;
  autoStart: boolean;
  autoComplete: boolean;
  updateIds: string[];
  updateCount: number;
}

/** The status page aggregate as its decider needs it (the read model keeps more: see `StatusPageView`). */
export interface StatusPage {
  status: 'active';
  id: string;
  slug: string;
  name: string;
  timeZone: string;
  description: string;
  url: string | null;
  groups: Record<string, { id: string; name: string }>;
  components: Record<string, PageComponent>;
  incidents: Record<string, PagePublishedIncident>;
  maintenances: Record<string, PageMaintenance>;
}

export type StatusPageState = NoStatusPage | StatusPage;

export const initialStatusPageState: NoStatusPage = Object.freeze({ status: 'none' as const });

/**
 * Folds one stored event. Pure; trusts the stream: an event that cannot apply leaves the state unchanged.
 */
export function evolveStatusPage(state: StatusPageState, event: StatusPageEvent): StatusPageState {
  if (event.type === 'StatusPageCreated') {
    if (state.status !== 'none') return state;
    const { pageId, slug, name, timeZone, description, url } = event.data;
    return { status: 'active', id: pageId, slug, name, timeZone, description, url, groups: {}, components: {}, incidents: {}, maintenances: {} };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'StatusPageUpdated': {
      const { name, timeZone, description, url } = event.data;
      return { ...state, name, timeZone, description, url };
    }
    case 'ComponentGroupAdded':
      return { ...state, groups: { ...state.groups, [event.data.groupId]: { id: event.data.groupId, name: event.data.name } } };
    case 'ComponentAdded': {
      const { componentId, name, description, groupId, showcase, onlyShowIfDegraded } = event.data;
      const component: PageComponent = { id: componentId, name, description, groupId, showcase, onlyShowIfDegraded, ownStatus: 'operational', status: 'operational' };
      return { ...state, components: { ...state.components, [componentId]: component } };
    }
    case 'ComponentUpdated': {
      const existing = state.components[event.data.componentId];
      if (!existing) return state;
      const { name, description, groupId, showcase, onlyShowIfDegraded } = event.data;
      return { ...state, components: { ...state.components, [existing.id]: { ...existing, name, description, groupId, showcase, onlyShowIfDegraded } } };
    }
    case 'ComponentRemoved': {
      const { [event.data.componentId]: _removed, ...components } = state.components;
      return { ...state, components };
    }
    case 'ComponentStatusSet':
      return updateComponent(state, event.data.componentId, { ownStatus: event.data.status });
    case 'ComponentStatusChanged':
      return updateComponent(state, event.data.componentId, { status: event.data.to });
    case 'IncidentPublished': {
      const { incidentId, name, impacts } = event.data;
      const incident: PagePublishedIncident = { incidentId, name, impacts: [...impacts], resolved: false, sourceIds: [] };
      return { ...state, incidents: { ...state.incidents, [incidentId]: incident } };
    }
    case 'PublishedIncidentChanged':
      return updateIncident(state, event.data.incidentId, () => ({ name: event.data.name, impacts: [...event.data.impacts] }));
    case 'IncidentUpdatePublished':
      return updateIncident(state, event.data.incidentId, (incident) => ({ sourceIds: [...incident.sourceIds, event.data.sourceId] }));
    case 'PublishedIncidentResolved':
      return updateIncident(state, event.data.incidentId, (incident) => ({ resolved: true, sourceIds: [...incident.sourceIds, event.data.sourceId] }));
    case 'PublishedIncidentReopened':
      return updateIncident(state, event.data.incidentId, (incident) => ({ resolved: false, sourceIds: [...incident.sourceIds, event.data.sourceId] }));
    case 'IncidentUnpublished': {
      const { [event.data.incidentId]: _removed, ...incidents } = state.incidents;
      return { ...state, incidents };
    }
    case 'MaintenanceScheduled': {
      const d = event.data;
      const maintenance: PageMaintenance = {
        id: d.maintenanceId,
        status: 'scheduled',
        componentIds: [...d.componentIds],
        scheduledFor: d.scheduledFor,
        scheduledUntil: d.scheduledUntil,
        autoStart: d.autoStart,
        autoComplete: d.autoComplete,
        updateIds: [],
        updateCount: 1,
      };
      return { ...state, maintenances: { ...state.maintenances, [d.maintenanceId]: maintenance } };
    }
    case 'MaintenanceAdvanced':
      return updateMaintenance(state, event.data.maintenanceId, (m) => ({ status: event.data.update.status, updateCount: m.updateCount + 1 }));
    case 'MaintenanceUpdatePosted':
      return updateMaintenance(state, event.data.maintenanceId, (m) => ({ updateIds: [...m.updateIds, event.data.updateId], updateCount: m.updateCount + 1 }));
    default: {
      const _never: never = event;
      void _never;
      return state;
    }
  }
}

function updateComponent(state: StatusPage, componentId: string, change: Partial<PageComponent>): StatusPage {
  const existing = state.components[componentId];
  return existing ? { ...state, components: { ...state.components, [componentId]: { ...existing, ...change } } } : state;
}

function updateIncident(state: StatusPage, incidentId: string, change: (incident: PagePublishedIncident) => Partial<PagePublishedIncident>): StatusPage {
  const existing = state.incidents[incidentId];
  return existing ? { ...state, incidents: { ...state.incidents, [incidentId]: { ...existing, ...change(existing) } } } : state;
}

function updateMaintenance(state: StatusPage, maintenanceId: string, change: (maintenance: PageMaintenance) => Partial<PageMaintenance>): StatusPage {
  const existing = state.maintenances[maintenanceId];
  return existing ? { ...state, maintenances: { ...state.maintenances, [maintenanceId]: { ...existing, ...change(existing) } } } : state;
}

/**
 * The status the page should show for a component: the worst of its own status, the impacts of the
 * page's unresolved incidents on it, and `under_maintenance` while a maintenance covering it is
 * `in_progress` or `verifying`.
 */
export function displayedStatusOf(state: StatusPage, componentId: string): ComponentStatus {
  const component = state.components[componentId];
  if (!component) return 'operational';
  const sources: ComponentStatus[] = [component.ownStatus];
  for (const incident of Object.values(state.incidents)) {
    if (incident.resolved) continue;
    for (const impact of incident.impacts) if (impact.componentId === componentId) sources.push(impact.status);
  }
  for (const maintenance of Object.values(state.maintenances)) {
    if ((maintenance.status === 'in_progress' || maintenance.status === 'verifying') && maintenance.componentIds.includes(componentId)) {
      sources.push('under_maintenance');
    }
  }
  return worstComponentStatus(sources);
}
