import type {
  ComponentStatusV1,
  StatusPageComponentV1,
  StatusPageIncidentV1,
  StatusPageIntegrationEventV1,
  StatusPageMaintenanceV1,
  StatusPageSnapshotV1,
  StatusPageUpdateV1,
} from '@fireline/contracts';

interface NotificationBase {
  /** The event it comes from: the dedup key of every delivery about it. */
  eventId: string;
  eventType: StatusPageIntegrationEventV1['type'];
  occurredAt: string;
  page: StatusPageSnapshotV1;
}

/**
 * What subscribers are told about, in Statuspage's three kinds: an incident created or updated
 * (resolved and reopened included), a maintenance scheduled or updated (Statuspage notifies about
 * maintenance as incidents with `scheduled_*` fields), a component whose status changed
 * (`component_update`).
 */
export type StatusPageNotification =
  | (NotificationBase & { kind: 'incident'; change: 'created' | 'update' | 'resolved' | 'reopened'; incident: StatusPageIncidentV1; update: StatusPageUpdateV1 | null })
  | (NotificationBase & { kind: 'maintenance'; change: 'scheduled' | 'update'; maintenance: StatusPageMaintenanceV1; update: StatusPageUpdateV1 | null })
  | (NotificationBase & { kind: 'component'; component: StatusPageComponentV1; oldStatus: ComponentStatusV1; newStatus: ComponentStatusV1 });

/**
 * The notification a status-page event makes, or null for events subscribers are not told about: a
 * change of an incident's public name or impacts alone (`details`: Statuspage notifies on incident
 * updates, not on edits), an incident taken off the page, and page or component set-up.
 */
export function notificationOf(event: StatusPageIntegrationEventV1): StatusPageNotification | null {
  const base = { eventId: event.eventId, eventType: event.type, occurredAt: event.occurredAt, page: event.data.page };
  switch (event.type) {
    case 'StatusPageIncidentPublished':
      return { ...base, kind: 'incident', change: 'created', incident: event.data.incident, update: event.data.incident.updates[0] ?? null };
    case 'StatusPageIncidentUpdated':
      if (event.data.change === 'details') return null;
      return { ...base, kind: 'incident', change: event.data.change, incident: event.data.incident, update: event.data.update };
    case 'StatusPageMaintenanceScheduled':
      return { ...base, kind: 'maintenance', change: 'scheduled', maintenance: event.data.maintenance, update: event.data.maintenance.updates[0] ?? null };
    case 'StatusPageMaintenanceUpdated':
      return { ...base, kind: 'maintenance', change: 'update', maintenance: event.data.maintenance, update: event.data.update };
    case 'StatusPageComponentStatusChanged':
      return { ...base, kind: 'component', component: event.data.component, oldStatus: event.data.oldStatus, newStatus: event.data.newStatus };
    case 'StatusPageIncidentUnpublished':
    case 'StatusPageChanged':
      return null;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** The components a notification is about: an incident's or maintenance's components, or the one component. */
export function concernedComponentIds(notification: StatusPageNotification): string[] {
  switch (notification.kind) {
    case 'incident':
      return notification.incident.components.map((c) => c.id);
    case 'maintenance':
      return notification.maintenance.components.map((c) => c.id);
    case 'component':
      return [notification.component.id];
    default: {
      const exhaustive: never = notification;
      return exhaustive;
    }
  }
}

/**
 * Whether a subscriber hears of a notification: a page-wide subscriber (no components chosen) of
 * every one, a per-component subscriber of those about at least one of its components (an incident
 * with no component reaches page-wide subscribers only).
 */
export function wantsNotification(subscriber: { componentIds: readonly string[] }, notification: StatusPageNotification): boolean {
  if (subscriber.componentIds.length === 0) return true;
  const concerned = new Set(concernedComponentIds(notification));
  return subscriber.componentIds.some((id) => concerned.has(id));
}

/** `major_outage` -> `Major outage`: how emails name a status. */
export function humanStatus(status: string): string {
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
