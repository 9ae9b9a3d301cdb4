import type { PostmortemRequirement } from './postmortem-policy';
import type { IncidentRole, OpenIncidentStatus, PublicStatusOverride, Severity, StatusUpdateAudience } from './incident.values';

/**
 * Carried by every stored incident event:
 * - `incidentId`: the incident (its stream is derived from it);
 * - `at`: ISO-8601 UTC, the issuing command's `metadata.now`;
 * - `by`: the command's `metadata.actor` (user id/email, `integration:<id>` or `system:<component>`).
 */
export interface IncidentEventBase {
  incidentId: string;
  at: string;
  by: string;
}

interface IncidentEventOf<TType extends string, TData = object> {
  type: TType;
  data: IncidentEventBase & TData;
}

/**
 * Stored (private) incident events, schema version 1. Never published as such: the public shapes are
 * `libs/contracts` `IncidentIntegrationEventV1`, mapped in `messaging/`.
 */
export type IncidentDeclared = IncidentEventOf<'IncidentDeclared', {
  title: string;
  description: string;
  severity: Severity;
  services: string[];
  detectionSource: string;
}>;
export type IncidentAcknowledged = IncidentEventOf<'IncidentAcknowledged'>;
/** A move between two open statuses; `note` is `null` when none was given. */
export type IncidentStatusChanged = IncidentEventOf<'IncidentStatusChanged', {
  from: OpenIncidentStatus;
  to: OpenIncidentStatus;
  note: string | null;
}>;
export type IncidentSeverityChanged = IncidentEventOf<'IncidentSeverityChanged', { from: Severity; to: Severity; reason: string }>;
/** `previousAssignee` is `null` when the role was vacant. */
export type IncidentRoleAssigned = IncidentEventOf<'IncidentRoleAssigned', {
  role: IncidentRole;
  assignee: string;
  previousAssignee: string | null;
}>;
export type TimelineNoteAdded = IncidentEventOf<'TimelineNoteAdded', { noteId: string; text: string }>;
/**
 * `publicStatus` (external updates only, optional: absent in events written before it existed) overrides
 * the public status a status page shows for this update (else derived from the lifecycle).
 */
export type StatusUpdatePosted = IncidentEventOf<'StatusUpdatePosted', {
  updateId: string;
  audience: StatusUpdateAudience;
  message: string;
  publicStatus?: PublicStatusOverride;
}>;
/**
 * `postmortem`: whether the resolution calls for a postmortem under `POSTMORTEM_REQUIRED_FOR`, decided
 * once here. Optional: absent on events written before the policy existed, which means required.
 */
export type IncidentResolved = IncidentEventOf<'IncidentResolved', { summary: string; postmortem?: PostmortemRequirement }>;
/** A resolved incident is back to `investigating`. */
export type IncidentReopened = IncidentEventOf<'IncidentReopened', { reason: string }>;
/**
 * Why an incident was closed by automation: `postmortem_not_required` (closed at resolution because the
 * policy asked for no postmortem). `text` is one human sentence.
 */
export interface IncidentCloseReason {
  code: 'postmortem_not_required';
  text: string;
}
/** `reason`: optional, absent when closed by hand (and on events written before it existed). */
export type IncidentClosed = IncidentEventOf<'IncidentClosed', { reason?: IncidentCloseReason }>;

/** Every stored incident event, discriminated on `type`. */
export type IncidentEvent =
  | IncidentDeclared
  | IncidentAcknowledged
  | IncidentStatusChanged
  | IncidentSeverityChanged
  | IncidentRoleAssigned
  | TimelineNoteAdded
  | StatusUpdatePosted
  | IncidentResolved
  | IncidentReopened
  | IncidentClosed;

export type IncidentEventType = IncidentEvent['type'];

/** The stored event type of each value of {@link IncidentEventType}; every one is listed (checked). */
export const INCIDENT_EVENT_TYPES = [
  'IncidentDeclared',
  'IncidentAcknowledged',
  'IncidentStatusChanged',
  'IncidentSeverityChanged',
  'IncidentRoleAssigned',
  'TimelineNoteAdded',
  'StatusUpdatePosted',
  'IncidentResolved',
  'IncidentReopened',
  'IncidentClosed',
] as const satisfies readonly IncidentEventType[];

// Fails to compile when an event type is missing from the list above.
type _AllEventTypesListed = IncidentEventType extends (typeof INCIDENT_EVENT_TYPES)[number] ? true : never;
const _allEventTypesListed: _AllEventTypesListed = true;
void _allEventTypesListed;

