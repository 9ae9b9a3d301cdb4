import type {
  StatusPageComponentV1,
  StatusPageIntegrationEventV1,
  StatusPageMaintenanceV1,
  StatusPageIncidentV1,
  StatusPageSnapshotV1,
  StatusPageUpdateV1,
} from '@fireline/contracts';
import type { RecordedEvent } from '@fireline/event-store';
import type { StatusPageView, ViewComponent, ViewIncident, ViewMaintenance } from '../domain/status-page-view';
import type { StatusPageEvent } from '../domain/status-page.events';
import { pageStatusOf } from '../domain/status-page.values';
import { pageUrlOf } from '../public/statuspage-v2';

/**
 * Maps one stored page event, with the page's view right after it, to its public v1 event on
 * `fireline.status-pages.v1`, or null for a hand-set status (`ComponentStatusSet`), which shows as
 * `ComponentStatusChanged` when it changes what is displayed. Page and component set-up becomes
 * `StatusPageChanged`, so that consumers can keep their own copy of the page (notification-service's
 * subscribers and Statuspage mirror). Every event's `page` carries the page's components.
 */
export function toStatusPageIntegrationEvent(recorded: RecordedEvent, view: StatusPageView | null, baseUrl: string): StatusPageIntegrationEventV1 | null {
  if (view === null) return null;
  const event = { type: recorded.type, data: recorded.data } as StatusPageEvent;
  const envelope = {
    eventId: recorded.eventId,
    version: 1 as const,
    occurredAt: event.data.at,
    correlationId: typeof recorded.metadata.correlationId === 'string' ? recorded.metadata.correlationId : recorded.eventId,
    causationId: typeof recorded.metadata.causationId === 'string' ? recorded.metadata.causationId : null,
    streamId: recorded.streamId,
  };
  const common = { pageId: view.id, page: pageSnapshot(view, baseUrl), actor: event.data.by };
  const url = pageUrlOf(view, baseUrl);
  const incident = (id: string) => {
    const found = view.incidents.find((i) => i.id === id);
    return found ? incidentV1(found, view, url) : null;
  };
  const maintenance = (id: string) => {
    const found = view.maintenances.find((m) => m.id === id);
    return found ? maintenanceV1(found, view, url) : null;
  };
  switch (event.type) {
    case 'IncidentPublished': {
      const i = incident(event.data.incidentId);
      return i && { ...envelope, type: 'StatusPageIncidentPublished', data: { ...common, incident: i } };
    }
    case 'IncidentUpdatePublished':
    case 'PublishedIncidentResolved':
    case 'PublishedIncidentReopened':
    case 'PublishedIncidentChanged': {
      const i = incident(event.data.incidentId);
      if (!i) return null;
      const change = ({ IncidentUpdatePublished: 'update', PublishedIncidentResolved: 'resolved', PublishedIncidentReopened: 'reopened', PublishedIncidentChanged: 'details' } as const)[event.type];
      const updateId = event.type === 'PublishedIncidentChanged' ? null : event.data.update.id;
      const update = i.updates.find((u) => u.id === updateId) ?? null;
      return { ...envelope, type: 'StatusPageIncidentUpdated', data: { ...common, incident: i, update, change } };
    }
    case 'IncidentUnpublished':
      return { ...envelope, type: 'StatusPageIncidentUnpublished', data: { ...common, incidentId: event.data.incidentId } };
    case 'ComponentStatusChanged': {
      const c = view.components.find((component) => component.id === event.data.componentId);
      return c ? { ...envelope, type: 'StatusPageComponentStatusChanged', data: { ...common, component: componentV1(c), oldStatus: event.data.from, newStatus: event.data.to } } : null;
    }
    case 'MaintenanceScheduled': {
      const m = maintenance(event.data.maintenanceId);
      return m && { ...envelope, type: 'StatusPageMaintenanceScheduled', data: { ...common, maintenance: m } };
    }
    case 'MaintenanceAdvanced':
    case 'MaintenanceUpdatePosted': {
      const m = maintenance(event.data.maintenanceId);
      const update = m?.updates.find((u) => u.id === event.data.update.id);
      if (!m || !update) return null;
      const automatic = event.type === 'MaintenanceAdvanced' && event.data.automatic;
      return { ...envelope, type: 'StatusPageMaintenanceUpdated', data: { ...common, maintenance: m, update, automatic } };
    }
    case 'StatusPageCreated':
    case 'StatusPageUpdated':
    case 'ComponentGroupAdded':
    case 'ComponentAdded':
    case 'ComponentUpdated':
    case 'ComponentRemoved': {
      const change = event.type === 'StatusPageCreated' ? 'created' : event.type === 'StatusPageUpdated' ? 'updated' : 'components';
      return { ...envelope, type: 'StatusPageChanged', data: { ...common, change } };
    }
    case 'ComponentStatusSet':
      return null;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

function pageSnapshot(view: StatusPageView, baseUrl: string): StatusPageSnapshotV1 {
  const status = pageStatusOf(view.components.map((c) => c.status));
  return {
    id: view.id,
    slug: view.slug,
    name: view.name,
    url: pageUrlOf(view, baseUrl),
    timeZone: view.timeZone,
    statusIndicator: status.indicator,
    statusDescription: status.description,
    components: [...view.components].sort((a, b) => a.position - b.position).map(componentV1),
  };
}

function componentV1(c: ViewComponent): StatusPageComponentV1 {
  return { id: c.id, name: c.name, status: c.status, groupId: c.groupId };
}

function updatesV1(updates: { id: string; status: string; body: string; createdAt: string; displayAt?: string }[]): StatusPageUpdateV1[] {
  return updates.map((u) => ({ id: u.id, status: u.status, body: u.body, createdAt: u.createdAt, displayAt: u.displayAt ?? u.createdAt }));
}

function incidentV1(i: ViewIncident, view: StatusPageView, url: string): StatusPageIncidentV1 {
  const ids = i.impacts.map((impact) => impact.componentId);
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    impact: i.impact,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    startedAt: i.startedAt,
    monitoringAt: i.monitoringAt,
    resolvedAt: i.resolvedAt,
    shortlink: `${url}#incident-${i.id}`,
    updates: updatesV1(i.updates),
    components: view.components.filter((c) => ids.includes(c.id)).map(componentV1),
  };
}

function maintenanceV1(m: ViewMaintenance, view: StatusPageView, url: string): StatusPageMaintenanceV1 {
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    scheduledFor: m.scheduledFor,
    scheduledUntil: m.scheduledUntil,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    startedAt: m.startedAt,
    completedAt: m.completedAt,
    shortlink: `${url}#maintenance-${m.id}`,
    updates: updatesV1(m.updates),
    components: view.components.filter((c) => m.componentIds.includes(c.id)).map(componentV1),
  };
}
