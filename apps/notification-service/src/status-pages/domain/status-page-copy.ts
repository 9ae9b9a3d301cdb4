import {
  STATUS_PAGE_INTEGRATION_EVENT_TYPES_V1,
  type IntegrationEvent,
  type StatusIndicatorV1,
  type StatusPageComponentV1,
  type StatusPageIntegrationEventV1,
} from '@fireline/contracts';

/**
 * notification-service's own copy of a status page, kept from `fireline.status-pages.v1` (every event
 * carries the page after it): what subscriptions and the Statuspage mirror need to know of a page.
 */
export interface StatusPageCopy {
  id: string;
  slug: string;
  name: string;
  /** Absolute URL of the public page. */
  url: string;
  timeZone: string;
  statusIndicator: StatusIndicatorV1;
  statusDescription: string;
  /** In page order. */
  components: StatusPageComponentV1[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Narrows an envelope from `fireline.status-pages.v1` to a v1 event this service understands: a known
 * type, version 1, a `pageId` and a `page` snapshot with id, slug, name and url. Anything else (a newer
 * version, a type added later) is not ours to interpret and is acknowledged.
 */
export function asStatusPageEventV1(event: IntegrationEvent): StatusPageIntegrationEventV1 | null {
  if (event.version !== 1) return null;
  if (!(STATUS_PAGE_INTEGRATION_EVENT_TYPES_V1 as readonly string[]).includes(event.type)) return null;
  if (!isRecord(event.data) || typeof event.data.pageId !== 'string') return null;
  const page = event.data.page;
  if (!isRecord(page) || typeof page.id !== 'string' || typeof page.slug !== 'string' || typeof page.name !== 'string' || typeof page.url !== 'string') return null;
  return event as StatusPageIntegrationEventV1;
}

/** Components an event shows as they stand, for events published before `page.components` existed. */
function componentsShownBy(event: StatusPageIntegrationEventV1): StatusPageComponentV1[] {
  switch (event.type) {
    case 'StatusPageComponentStatusChanged':
      return [event.data.component];
    case 'StatusPageIncidentPublished':
    case 'StatusPageIncidentUpdated':
      return event.data.incident.components;
    case 'StatusPageMaintenanceScheduled':
    case 'StatusPageMaintenanceUpdated':
      return event.data.maintenance.components;
    case 'StatusPageIncidentUnpublished':
    case 'StatusPageChanged':
      return [];
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/**
 * The page as `event` leaves it. The event's `page.components` (every component) replaces what was
 * known; an event without it (published by an older incident-service) updates the components it
 * shows and keeps the others.
 */
export function pageCopyAfter(event: StatusPageIntegrationEventV1, previous: StatusPageCopy | null): StatusPageCopy {
  const page = event.data.page;
  let components: StatusPageComponentV1[];
  if (Array.isArray(page.components)) {
    components = page.components;
  } else {
    const byId = new Map((previous?.components ?? []).map((c) => [c.id, c]));
    for (const shown of componentsShownBy(event)) byId.set(shown.id, shown);
    components = [...byId.values()];
  }
  return {
    id: page.id,
    slug: page.slug,
    name: page.name,
    url: page.url,
    timeZone: page.timeZone,
    statusIndicator: page.statusIndicator,
    statusDescription: page.statusDescription,
    components: components.map((c) => ({ id: c.id, name: c.name, status: c.status, groupId: c.groupId })),
  };
}
