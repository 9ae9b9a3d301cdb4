import type { IntegrationEvent } from '../envelope';

/** SEV1 (most severe: full outage, all hands) … SEV4 (minor, no customer impact). */
export type SeverityV1 = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';
export type IncidentStatusV1 = 'detected' | 'investigating' | 'identified' | 'mitigating' | 'resolved' | 'closed';
export type IncidentRoleV1 = 'incident_commander' | 'technical_lead' | 'communications_lead';
export type StatusUpdateAudienceV1 = 'internal' | 'external';

/**
 * The incident as it stands after the event, carried on every incident event (event-carried state
 * transfer) so that consumers can filter on severity and service without keeping their own copy.
 */
export interface IncidentSnapshotV1 {
  id: string;
  title: string;
  severity: SeverityV1;
  status: IncidentStatusV1;
  services: string[];
  declaredAt: string;
}

/**
 * What an event is about, for subscribers that filter: `lifecycle` (declared, acknowledged, status,
 * severity, roles, people's notes, status updates, resolved, reopened, closed) or `alert_churn` (a note
 * an alert integration wrote about its alerts: alerts joining or leaving a group, firing again, resolved
 * at the source). Added to v1 as an optional field (backward compatible): absent means `lifecycle`.
 */
export type IncidentEventKindV1 = 'lifecycle' | 'alert_churn';
export const INCIDENT_EVENT_KINDS_V1: readonly IncidentEventKindV1[] = ['lifecycle', 'alert_churn'];

interface IncidentEventDataV1 {
  incidentId: string;
  incident: IncidentSnapshotV1;
  /** Who did it: a user id/email, or `integration:<id>` for automation. */
  actor: string;
  /** Set (to `alert_churn`) only on alert churn; absent means `lifecycle`. */
  kind?: IncidentEventKindV1;
}

/** The kind of an event, `lifecycle` when it carries none (see `IncidentEventKindV1`). */
export function incidentEventKindV1(event: { data: { kind?: IncidentEventKindV1 } }): IncidentEventKindV1 {
  return event.data.kind ?? 'lifecycle';
}

export type IncidentDeclaredV1 = IntegrationEvent<'IncidentDeclared', IncidentEventDataV1 & {
  description: string;
  detectionSource: string;
}, 1>;
export type IncidentAcknowledgedV1 = IntegrationEvent<'IncidentAcknowledged', IncidentEventDataV1, 1>;
export type IncidentStatusChangedV1 = IntegrationEvent<'IncidentStatusChanged', IncidentEventDataV1 & {
  from: IncidentStatusV1;
  to: IncidentStatusV1;
  note: string | null;
}, 1>;
export type IncidentSeverityChangedV1 = IntegrationEvent<'IncidentSeverityChanged', IncidentEventDataV1 & {
  from: SeverityV1;
  to: SeverityV1;
  reason: string;
}, 1>;
export type IncidentRoleAssignedV1 = IntegrationEvent<'IncidentRoleAssigned', IncidentEventDataV1 & {
  role: IncidentRoleV1;
  assignee: string;
  previousAssignee: string | null;
}, 1>;
export type IncidentNoteAddedV1 = IntegrationEvent<'IncidentNoteAdded', IncidentEventDataV1 & { noteId: string; text: string }, 1>;
export type IncidentStatusUpdatePostedV1 = IntegrationEvent<'IncidentStatusUpdatePosted', IncidentEventDataV1 & {
  updateId: string;
  audience: StatusUpdateAudienceV1;
  message: string;
}, 1>;
/**
 * Whether a resolution calls for a postmortem, decided once by incident-service at resolution under its
 * `POSTMORTEM_REQUIRED_FOR` policy; `reason` is one human sentence naming the policy.
 */
export interface PostmortemRequirementV1 {
  required: boolean;
  reason: string;
}

/**
 * `postmortem`: added to v1 as an optional field (backward compatible). Absent (older producers) means
 * a postmortem is required, as before the policy existed.
 */
export type IncidentResolvedV1 = IntegrationEvent<'IncidentResolved', IncidentEventDataV1 & { summary: string; postmortem?: PostmortemRequirementV1 }, 1>;
export type IncidentReopenedV1 = IntegrationEvent<'IncidentReopened', IncidentEventDataV1 & { reason: string }, 1>;
/** Why automation closed an incident: `postmortem_not_required` (closed at resolution, no postmortem needed). */
export interface IncidentCloseReasonV1 {
  code: 'postmortem_not_required';
  text: string;
}

/** `reason`: added to v1 as an optional field (backward compatible); absent when closed by hand. */
export type IncidentClosedV1 = IntegrationEvent<'IncidentClosed', IncidentEventDataV1 & { reason?: IncidentCloseReasonV1 }, 1>;

/** True unless the resolution says no postmortem is required (absent `postmortem` = required). */
export function isPostmortemRequiredV1(event: IncidentResolvedV1): boolean {
  return event.data.postmortem?.required !== false;
}

/** Every public incident event, v1. Published on `fireline.incidents.v1`, keyed by `streamId`. */
export type IncidentIntegrationEventV1 =
  | IncidentDeclaredV1
  | IncidentAcknowledgedV1
  | IncidentStatusChangedV1
  | IncidentSeverityChangedV1
  | IncidentRoleAssignedV1
  | IncidentNoteAddedV1
  | IncidentStatusUpdatePostedV1
  | IncidentResolvedV1
  | IncidentReopenedV1
  | IncidentClosedV1;

export type IncidentIntegrationEventTypeV1 = IncidentIntegrationEventV1['type'];

export const INCIDENT_INTEGRATION_EVENT_TYPES_V1: readonly IncidentIntegrationEventTypeV1[] = [
  'IncidentDeclared',
  'IncidentAcknowledged',
  'IncidentStatusChanged',
  'IncidentSeverityChanged',
  'IncidentRoleAssigned',
  'IncidentNoteAdded',
  'IncidentStatusUpdatePosted',
  'IncidentResolved',
  'IncidentReopened',
  'IncidentClosed',
];
