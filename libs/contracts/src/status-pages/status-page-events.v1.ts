import type { IntegrationEvent } from '../envelope';

/** Statuspage's component statuses. */
export type ComponentStatusV1 = 'operational' | 'under_maintenance' | 'degraded_performance' | 'partial_outage' | 'major_outage';
/** Statuspage's page indicator / incident impact. */
export type StatusIndicatorV1 = 'none' | 'minor' | 'major' | 'critical';
export type PublicIncidentStatusV1 = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type MaintenanceStatusV1 = 'scheduled' | 'in_progress' | 'verifying' | 'completed';

/**
 * The page as it stands after the event (event-carried state): enough for a subscriber notifier to fill
 * Statuspage's webhook `page` object (`id`, `status_indicator`, `status_description`) and link to it.
 */
export interface StatusPageSnapshotV1 {
  id: string;
  slug: string;
  name: string;
  /** Absolute URL of the public page. */
  url: string;
  timeZone: string;
  statusIndicator: StatusIndicatorV1;
  statusDescription: string;
  /**
   * Every component of the page after the event, in page order (groups are not components). Added
   * after the first release of v1 (a backward-compatible field): events published before it lack it,
   * so a consumer must treat it as optional and keep what it knew.
   */
  components?: StatusPageComponentV1[];
}

export interface StatusPageComponentV1 {
  id: string;
  name: string;
  status: ComponentStatusV1;
  groupId: string | null;
}

/** One public update (ISO-8601 times). */
export interface StatusPageUpdateV1 {
  id: string;
  status: string;
  body: string;
  createdAt: string;
  displayAt: string;
}

/** A published incident after the event, updates newest first; `components` are the ones it impacts, as they stand. */
export interface StatusPageIncidentV1 {
  id: string;
  name: string;
  status: PublicIncidentStatusV1;
  impact: StatusIndicatorV1;
  createdAt: string;
  updatedAt: string;
  startedAt: string;
  monitoringAt: string | null;
  resolvedAt: string | null;
  shortlink: string;
  updates: StatusPageUpdateV1[];
  components: StatusPageComponentV1[];
}

export interface StatusPageMaintenanceV1 {
  id: string;
  name: string;
  status: MaintenanceStatusV1;
  scheduledFor: string;
  scheduledUntil: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  shortlink: string;
  updates: StatusPageUpdateV1[];
  components: StatusPageComponentV1[];
}

interface PageDataV1 {
  pageId: string;
  page: StatusPageSnapshotV1;
  /** Who did it (`system:status-page-timers` for a maintenance timer, `integration:…` for automation). */
  actor: string;
}

/** An incident appeared on the page. */
export type StatusPageIncidentPublishedV1 = IntegrationEvent<'StatusPageIncidentPublished', PageDataV1 & { incident: StatusPageIncidentV1 }, 1>;
/** A public update was posted on a published incident; `update.status === 'resolved'` when it resolved, `investigating` when it reopened. */
export type StatusPageIncidentUpdatedV1 = IntegrationEvent<'StatusPageIncidentUpdated', PageDataV1 & {
  incident: StatusPageIncidentV1;
  update: StatusPageUpdateV1 | null;
  change: 'update' | 'resolved' | 'reopened' | 'details';
}, 1>;
/** The incident was taken off the page. */
export type StatusPageIncidentUnpublishedV1 = IntegrationEvent<'StatusPageIncidentUnpublished', PageDataV1 & { incidentId: string }, 1>;
/** What the page shows for a component changed (Statuspage's `component_update`). */
export type StatusPageComponentStatusChangedV1 = IntegrationEvent<'StatusPageComponentStatusChanged', PageDataV1 & {
  component: StatusPageComponentV1;
  oldStatus: ComponentStatusV1;
  newStatus: ComponentStatusV1;
}, 1>;
/** A maintenance was scheduled. */
export type StatusPageMaintenanceScheduledV1 = IntegrationEvent<'StatusPageMaintenanceScheduled', PageDataV1 & { maintenance: StatusPageMaintenanceV1 }, 1>;
/** A maintenance moved on (started, verifying, completed; `automatic` when a timer did it) or got an update. */
export type StatusPageMaintenanceUpdatedV1 = IntegrationEvent<'StatusPageMaintenanceUpdated', PageDataV1 & {
  maintenance: StatusPageMaintenanceV1;
  update: StatusPageUpdateV1;
  automatic: boolean;
}, 1>;

/**
 * The page itself or its set of components changed: created (`created`), renamed or otherwise edited
 * (`updated`), a component or group added, edited or removed (`components`). Carries the page with
 * `page.components` set, so that a consumer can keep its own copy of the page without any other event.
 * Added after the first release of v1 (a new type on the topic: consumers acknowledge types they do
 * not know).
 */
export type StatusPageChangedV1 = IntegrationEvent<'StatusPageChanged', PageDataV1 & { change: 'created' | 'updated' | 'components' }, 1>;

/** Every public status-page event, v1. Published on `fireline.status-pages.v1`, keyed by the page's stream id. */
export type StatusPageIntegrationEventV1 =
  | StatusPageIncidentPublishedV1
  | StatusPageIncidentUpdatedV1
  | StatusPageIncidentUnpublishedV1
  | StatusPageComponentStatusChangedV1
  | StatusPageMaintenanceScheduledV1
  | StatusPageMaintenanceUpdatedV1
  | StatusPageChangedV1;

/** The type names of `StatusPageIntegrationEventV1`, for consumers that check what they received. */
export const STATUS_PAGE_INTEGRATION_EVENT_TYPES_V1 = [
  'StatusPageIncidentPublished',
  'StatusPageIncidentUpdated',
  'StatusPageIncidentUnpublished',
  'StatusPageComponentStatusChanged',
  'StatusPageMaintenanceScheduled',
  'StatusPageMaintenanceUpdated',
  'StatusPageChanged',
] as const satisfies readonly StatusPageIntegrationEventV1['type'][];

export type StatusPageIntegrationEventTypeV1 = StatusPageIntegrationEventV1['type'];
