import type { ComponentImpact } from './status-page.commands';
import type { ComponentStatus, MaintenanceStatus, PublicIncidentStatus } from './status-page.values';

/** Carried by every stored status-page event: `at` (ISO-8601 UTC, the command's `now`) and `by` (its actor). */
export interface StatusPageEventBase {
  pageId: string;
  at: string;
  by: string;
}

interface StatusPageEventOf<TType extends string, TData = object> {
  type: TType;
  data: StatusPageEventBase & TData;
}

/** A public update as published: `id` is the public id, `displayAt` when it was written (ISO-8601). */
export interface PublishedUpdate {
  id: string;
  status: PublicIncidentStatus;
  body: string;
  displayAt: string;
}

/** A maintenance update: `status` is the maintenance status it announces. */
export interface MaintenanceUpdate {
  id: string;
  status: MaintenanceStatus;
  body: string;
}

/**
 * Why a component's displayed status changed: set by hand, an incident (published, impacts changed,
 * resolved, reopened, unpublished) or a maintenance (started, completed).
 */
export type StatusChangeCause = { kind: 'manual' } | { kind: 'incident'; incidentId: string } | { kind: 'maintenance'; maintenanceId: string };

/** Stored (private) status-page events, schema version 1; the public shapes are in `libs/contracts`. */
export type StatusPageCreated = StatusPageEventOf<'StatusPageCreated', { slug: string; name: string; timeZone: string; description: string; url: string | null }>;
export type StatusPageUpdated = StatusPageEventOf<'StatusPageUpdated', { name: string; timeZone: string; description: string; url: string | null }>;
export type ComponentGroupAdded = StatusPageEventOf<'ComponentGroupAdded', { groupId: string; name: string }>;
export type ComponentAdded = StatusPageEventOf<'ComponentAdded', {
  componentId: string;
  name: string;
  description: string;
  groupId: string | null;
  showcase: boolean;
  onlyShowIfDegraded: boolean;
}>;
export type ComponentUpdated = StatusPageEventOf<'ComponentUpdated', {
  componentId: string;
  name: string;
  description: string;
  groupId: string | null;
  showcase: boolean;
  onlyShowIfDegraded: boolean;
}>;
export type ComponentRemoved = StatusPageEventOf<'ComponentRemoved', { componentId: string }>;
/** The status set by hand (the component's own status, before incidents and maintenance). */
export type ComponentStatusSet = StatusPageEventOf<'ComponentStatusSet', { componentId: string; status: ComponentStatus }>;
/** What the page shows for the component changed: the source of uptime bars. */
export type ComponentStatusChanged = StatusPageEventOf<'ComponentStatusChanged', {
  componentId: string;
  from: ComponentStatus;
  to: ComponentStatus;
  cause: StatusChangeCause;
}>;
/** `startedAt`: the incident's declaration time (Statuspage `started_at`). */
export type IncidentPublished = StatusPageEventOf<'IncidentPublished', { incidentId: string; name: string; impacts: ComponentImpact[]; startedAt: string }>;
export type PublishedIncidentChanged = StatusPageEventOf<'PublishedIncidentChanged', { incidentId: string; name: string; impacts: ComponentImpact[] }>;
/** An external update of the incident, published; `sourceId` names what it came from (`update:<updateId>`). */
export type IncidentUpdatePublished = StatusPageEventOf<'IncidentUpdatePublished', { incidentId: string; sourceId: string; update: PublishedUpdate }>;
/** The incident was resolved (`resolvedAt` = when); `update` is the public `resolved` update. */
export type PublishedIncidentResolved = StatusPageEventOf<'PublishedIncidentResolved', { incidentId: string; sourceId: string; resolvedAt: string; update: PublishedUpdate }>;
export type PublishedIncidentReopened = StatusPageEventOf<'PublishedIncidentReopened', { incidentId: string; sourceId: string; update: PublishedUpdate }>;
export type IncidentUnpublished = StatusPageEventOf<'IncidentUnpublished', { incidentId: string }>;
export type MaintenanceScheduled = StatusPageEventOf<'MaintenanceScheduled', {
  maintenanceId: string;
  name: string;
  scheduledFor: string;
  scheduledUntil: string;
  componentIds: string[];
  autoStart: boolean;
  autoComplete: boolean;
  update: MaintenanceUpdate;
}>;
/** A status move (`update.status` is the new status); `automatic` when a timer made it. */
export type MaintenanceAdvanced = StatusPageEventOf<'MaintenanceAdvanced', {
  maintenanceId: string;
  from: MaintenanceStatus;
  update: MaintenanceUpdate;
  automatic: boolean;
}>;
export type MaintenanceUpdatePosted = StatusPageEventOf<'MaintenanceUpdatePosted', { maintenanceId: string; updateId: string; update: MaintenanceUpdate }>;

export type StatusPageEvent =
  | StatusPageCreated
  | StatusPageUpdated
  | ComponentGroupAdded
  | ComponentAdded
  | ComponentUpdated
  | ComponentRemoved
  | ComponentStatusSet
  | ComponentStatusChanged
  | IncidentPublished
  | PublishedIncidentChanged
  | IncidentUpdatePublished
  | PublishedIncidentResolved
  | PublishedIncidentReopened
  | IncidentUnpublished
  | MaintenanceScheduled
  | MaintenanceAdvanced
  | MaintenanceUpdatePosted;

export type StatusPageEventType = StatusPageEvent['type'];

/** Every stored status-page event type (checked complete at compile time). */
export const STATUS_PAGE_EVENT_TYPES = [
  'StatusPageCreated',
  'StatusPageUpdated',
  'ComponentGroupAdded',
  'ComponentAdded',
  'ComponentUpdated',
  'ComponentRemoved',
  'ComponentStatusSet',
  'ComponentStatusChanged',
  'IncidentPublished',
  'PublishedIncidentChanged',
  'IncidentUpdatePublished',
  'PublishedIncidentResolved',
  'PublishedIncidentReopened',
  'IncidentUnpublished',
  'MaintenanceScheduled',
  'MaintenanceAdvanced',
  'MaintenanceUpdatePosted',
] as const satisfies readonly StatusPageEventType[];

type _AllListed = StatusPageEventType extends (typeof STATUS_PAGE_EVENT_TYPES)[number] ? true : never;
const _allListed: _AllListed = true;
void _allListed;
