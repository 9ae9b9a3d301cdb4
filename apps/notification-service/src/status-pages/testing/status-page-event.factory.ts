import { randomUUID } from 'node:crypto';
import type {
  StatusPageChangedV1,
  StatusPageComponentStatusChangedV1,
  StatusPageComponentV1,
  StatusPageIncidentPublishedV1,
  StatusPageIncidentUpdatedV1,
  StatusPageIncidentV1,
  StatusPageMaintenanceScheduledV1,
  StatusPageSnapshotV1,
} from '@fireline/contracts';

/** A page with fresh ids and two components (API, Database); override what the test is about. */
export function aStatusPage(overrides: Partial<StatusPageSnapshotV1> = {}): StatusPageSnapshotV1 & { components: StatusPageComponentV1[] } {
  const slug = `acme-${randomUUID().slice(0, 8)}`;
  return {
    id: randomUUID(),
    slug,
    name: 'Acme Cloud',
    url: `https://status.example.com/status/${slug}`,
    timeZone: 'Europe/Berlin',
    statusIndicator: 'none',
    statusDescription: 'All Systems Operational',
    components: [
      { id: randomUUID(), name: 'API', status: 'operational', groupId: null },
      { id: randomUUID(), name: 'Database', status: 'operational', groupId: null },
    ],
    ...overrides,
  } as StatusPageSnapshotV1 & { components: StatusPageComponentV1[] };
}

let clockMs = Date.parse('2026-03-01T10:00:00.000Z');
/** Increasing times, so that every event is newer than the one before (the page copy keeps the latest). */
function nextTime(): string {
  clockMs += 1_000;
  return new Date(clockMs).toISOString();
}

function envelope<T extends string>(type: T, page: StatusPageSnapshotV1) {
  return { eventId: randomUUID(), type, version: 1 as const, occurredAt: nextTime(), correlationId: randomUUID(), causationId: null, streamId: `status-page-${page.id}` };
}

/** `StatusPageChanged` (created): how notification-service first hears of a page. */
export function aStatusPageChanged(page: StatusPageSnapshotV1, change: StatusPageChangedV1['data']['change'] = 'created'): StatusPageChangedV1 {
  return { ...envelope('StatusPageChanged', page), data: { pageId: page.id, page, actor: 'alice@example.com', change } };
}

/** A published incident impacting `components` (major outage), with one update. */
export function aPublishedIncident(page: StatusPageSnapshotV1, components: StatusPageComponentV1[], overrides: Partial<StatusPageIncidentV1> = {}): StatusPageIncidentV1 {
  const id = randomUUID();
  const at = '2026-03-01T10:00:00.000Z';
  return {
    id,
    name: 'Elevated API errors',
    status: 'investigating',
    impact: 'major',
    createdAt: at,
    updatedAt: at,
    startedAt: at,
    monitoringAt: null,
    resolvedAt: null,
    shortlink: `${page.url}#incident-${id}`,
    updates: [{ id: randomUUID(), status: 'investigating', body: 'We are looking into errors <b>on</b> the API & "checkout".', createdAt: at, displayAt: at }],
    components: components.map((c) => ({ ...c, status: 'major_outage' })),
    ...overrides,
  };
}

export function aStatusPageIncidentPublished(page: StatusPageSnapshotV1, incident: StatusPageIncidentV1): StatusPageIncidentPublishedV1 {
  return { ...envelope('StatusPageIncidentPublished', page), data: { pageId: page.id, page, actor: 'alice@example.com', incident } };
}

export function aStatusPageIncidentResolved(page: StatusPageSnapshotV1, incident: StatusPageIncidentV1): StatusPageIncidentUpdatedV1 {
  const at = '2026-03-01T11:00:00.000Z';
  const update = { id: randomUUID(), status: 'resolved', body: 'Fixed.', createdAt: at, displayAt: at };
  const resolved: StatusPageIncidentV1 = {
    ...incident,
    status: 'resolved',
    resolvedAt: at,
    updatedAt: at,
    updates: [update, ...incident.updates],
    components: incident.components.map((c) => ({ ...c, status: 'operational' })),
  };
  return { ...envelope('StatusPageIncidentUpdated', page), data: { pageId: page.id, page, actor: 'alice@example.com', incident: resolved, update, change: 'resolved' } };
}

export function aComponentStatusChanged(page: StatusPageSnapshotV1, component: StatusPageComponentV1, newStatus: StatusPageComponentV1['status']): StatusPageComponentStatusChangedV1 {
  return {
    ...envelope('StatusPageComponentStatusChanged', page),
    data: { pageId: page.id, page, actor: 'alice@example.com', component: { ...component, status: newStatus }, oldStatus: component.status, newStatus },
  };
}

export function aMaintenanceScheduled(page: StatusPageSnapshotV1, components: StatusPageComponentV1[]): StatusPageMaintenanceScheduledV1 {
  const id = randomUUID();
  return {
    ...envelope('StatusPageMaintenanceScheduled', page),
    data: {
      pageId: page.id,
      page,
      actor: 'alice@example.com',
      maintenance: {
        id,
        name: 'Database upgrade',
        status: 'scheduled',
        scheduledFor: '2026-03-02T01:00:00.000Z',
        scheduledUntil: '2026-03-02T02:00:00.000Z',
        createdAt: '2026-03-01T10:00:00.000Z',
        updatedAt: '2026-03-01T10:00:00.000Z',
        startedAt: null,
        completedAt: null,
        shortlink: `${page.url}#maintenance-${id}`,
        updates: [],
        components: components.map((c) => ({ ...c, status: 'under_maintenance' })),
      },
    },
  };
}
