import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { IncidentFacts } from './public-incident-facts';
import type { ComponentStatus } from './status-page.values';

interface StatusPageCommandOf<TType extends string, TData extends { pageId: string }> {
  type: TType;
  data: TData;
  metadata: CommandMetadata;
}

/** One component an incident affects, and how (`operational` records the link without raising the status). */
export interface ComponentImpact {
  componentId: string;
  status: ComponentStatus;
}

/**
 * Creates a page. `slug` (see `SLUG_PATTERN`) is its public address `/status/{slug}` and never changes;
 * `timeZone` an IANA name (uptime days and displayed times); `url` (optional, absolute http(s)) the
 * public URL to report as `page.url` when the page is served under another host.
 */
export type CreateStatusPage = StatusPageCommandOf<'CreateStatusPage', {
  pageId: string;
  slug: string;
  name: string;
  timeZone: string;
  description?: string;
  url?: string | null;
}>;

/** Changes the page's name, time zone, description or URL (absent fields keep their value; `url: null` clears it). */
export type UpdateStatusPage = StatusPageCommandOf<'UpdateStatusPage', {
  pageId: string;
  name?: string;
  timeZone?: string;
  description?: string;
  url?: string | null;
}>;

/** Adds a component group (Statuspage shows a group as one expandable component). */
export type AddComponentGroup = StatusPageCommandOf<'AddComponentGroup', { pageId: string; groupId: string; name: string }>;

/** Adds a component, optionally in a group. `showcase` (default true) shows its 90-day uptime bar. */
export type AddComponent = StatusPageCommandOf<'AddComponent', {
  pageId: string;
  componentId: string;
  name: string;
  description?: string;
  groupId?: string | null;
  showcase?: boolean;
  onlyShowIfDegraded?: boolean;
}>;

/** Changes a component's presentation (absent fields keep their value; `groupId: null` ungroups it). */
export type UpdateComponent = StatusPageCommandOf<'UpdateComponent', {
  pageId: string;
  componentId: string;
  name?: string;
  description?: string;
  groupId?: string | null;
  showcase?: boolean;
  onlyShowIfDegraded?: boolean;
}>;

export type RemoveComponent = StatusPageCommandOf<'RemoveComponent', { pageId: string; componentId: string }>;

/**
 * Sets a component's own status by hand. What the page shows is the worst of this, the impacts of the
 * page's unresolved incidents and `under_maintenance` while a maintenance covering it runs.
 */
export type SetComponentStatus = StatusPageCommandOf<'SetComponentStatus', { pageId: string; componentId: string; status: ComponentStatus }>;

/**
 * Publishes an incident on the page. `name` is the public title (the internal one may say more than
 * customers should read); `incident` the facts read from the incident's stream (its external updates so
 * far, whether it is resolved), which are published with it.
 */
export type PublishIncident = StatusPageCommandOf<'PublishIncident', {
  pageId: string;
  incidentId: string;
  name: string;
  impacts: ComponentImpact[];
  incident: IncidentFacts;
}>;

/** Changes a published incident's public name or its component impacts. */
export type ChangePublishedIncident = StatusPageCommandOf<'ChangePublishedIncident', {
  pageId: string;
  incidentId: string;
  name?: string;
  impacts?: ComponentImpact[];
}>;

/** Brings a published incident up to date with its stream (new external updates, resolution, reopening). No-op when not published. */
export type SyncPublishedIncident = StatusPageCommandOf<'SyncPublishedIncident', { pageId: string; incidentId: string; incident: IncidentFacts }>;

/** Takes an incident off the page (published by mistake); its components are restored. */
export type UnpublishIncident = StatusPageCommandOf<'UnpublishIncident', { pageId: string; incidentId: string }>;

/**
 * Schedules a maintenance window `[scheduledFor, scheduledUntil)` (ISO-8601) on components. With
 * `autoStart` / `autoComplete` (default true) durable timers start and complete it at those times.
 */
export type ScheduleMaintenance = StatusPageCommandOf<'ScheduleMaintenance', {
  pageId: string;
  maintenanceId: string;
  name: string;
  message: string;
  scheduledFor: string;
  scheduledUntil: string;
  componentIds: string[];
  autoStart?: boolean;
  autoComplete?: boolean;
}>;

/**
 * Moves a maintenance along `scheduled → in_progress → verifying → completed`. `automatic` marks a
 * timer's command: it only acts from the status the timer was set for, and is a no-op otherwise.
 */
export type AdvanceMaintenance = StatusPageCommandOf<'AdvanceMaintenance', {
  pageId: string;
  maintenanceId: string;
  status: 'in_progress' | 'verifying' | 'completed';
  message?: string;
  automatic?: boolean;
}>;

/** A free-text update on a maintenance, without a status change. `updateId` makes it idempotent. */
export type PostMaintenanceUpdate = StatusPageCommandOf<'PostMaintenanceUpdate', { pageId: string; maintenanceId: string; updateId: string; message: string }>;

export type StatusPageCommand =
  | CreateStatusPage
  | UpdateStatusPage
  | AddComponentGroup
  | AddComponent
  | UpdateComponent
  | RemoveComponent
  | SetComponentStatus
  | PublishIncident
  | ChangePublishedIncident
  | SyncPublishedIncident
  | UnpublishIncident
  | ScheduleMaintenance
  | AdvanceMaintenance
  | PostMaintenanceUpdate;
