import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { IncidentCloseReason } from './incident.events';
import type { IncidentRole, IncidentStatus, PublicStatusOverride, Severity, StatusUpdateAudience } from './incident.values';

/** The common shape of incident commands: `data` always carries the target `incidentId`. */
interface IncidentCommandOf<TType extends string, TData extends { incidentId: string }> {
  type: TType;
  data: TData;
  metadata: CommandMetadata;
}

/**
 * Opens a new incident (status `detected`). Limits are in characters (Unicode code points):
 * - `title`: 1..200 after trimming (stored trimmed);
 * - `description`: 0..10000;
 * - `services`: 0..50 entries, each 1..100 after trimming (stored trimmed), no duplicates;
 * - `detectionSource`: 1..100 after trimming, e.g. `manual` or `alert:<integration>`.
 */
export type DeclareIncident = IncidentCommandOf<'DeclareIncident', {
  incidentId: string;
  title: string;
  description: string;
  severity: Severity;
  services: string[];
  detectionSource: string;
}>;

/** A responder has seen the incident. Repeating it is a no-op. */
export type AcknowledgeIncident = IncidentCommandOf<'AcknowledgeIncident', { incidentId: string }>;

/**
 * Moves the incident along its lifecycle. `note` (0..10000 characters, blank = none) explains the move;
 * it is required when the move reopens a resolved incident (any open target reopens to `investigating`),
 * and not recorded when the move closes it (`closed` behaves as {@link CloseIncident}).
 * `status: 'resolved'` is refused: resolving needs a summary, see {@link ResolveIncident}.
 */
export type ChangeIncidentStatus = IncidentCommandOf<'ChangeIncidentStatus', {
  incidentId: string;
  status: IncidentStatus;
  note?: string;
}>;

/** Re-rates the incident. `reason`: 1..10000 characters, not blank. */
export type ChangeIncidentSeverity = IncidentCommandOf<'ChangeIncidentSeverity', {
  incidentId: string;
  severity: Severity;
  reason: string;
}>;

/** Gives `role` to `assignee` (user id/email, 1..200 characters after trimming, stored trimmed). */
export type AssignIncidentRole = IncidentCommandOf<'AssignIncidentRole', {
  incidentId: string;
  role: IncidentRole;
  assignee: string;
}>;

/**
 * Adds a free-text note to the timeline. `noteId` (1..200 characters, chosen by the client) makes the
 * command idempotent; `text`: 1..10000 characters, not blank.
 */
export type AddTimelineNote = IncidentCommandOf<'AddTimelineNote', {
  incidentId: string;
  noteId: string;
  text: string;
}>;

/**
 * Posts a status update for an audience. `updateId` (1..200 characters, chosen by the client) makes the
 * command idempotent; `message`: 1..10000 characters, not blank. `publicStatus` (external updates only)
 * overrides the public status status pages show for it.
 */
export type PostStatusUpdate = IncidentCommandOf<'PostStatusUpdate', {
  incidentId: string;
  updateId: string;
  audience: StatusUpdateAudience;
  message: string;
  publicStatus?: PublicStatusOverride;
}>;

/** Marks an open incident resolved. `summary`: 1..10000 characters, not blank. */
export type ResolveIncident = IncidentCommandOf<'ResolveIncident', { incidentId: string; summary: string }>;

/** Reopens a resolved incident (back to `investigating`). `reason`: 1..10000 characters, not blank. */
export type ReopenIncident = IncidentCommandOf<'ReopenIncident', { incidentId: string; reason: string }>;

/**
 * Closes a resolved incident for good; nothing but reads is allowed afterwards. `reason` (optional; set
 * by close-incident-when-postmortem-not-required, `text` 1..10000 characters) is recorded on the event.
 */
export type CloseIncident = IncidentCommandOf<'CloseIncident', { incidentId: string; reason?: IncidentCloseReason }>;

/** Every command the incident decider accepts, discriminated on `type`. */
export type IncidentCommand =
  | DeclareIncident
  | AcknowledgeIncident
  | ChangeIncidentStatus
  | ChangeIncidentSeverity
  | AssignIncidentRole
  | AddTimelineNote
  | PostStatusUpdate
  | ResolveIncident
  | ReopenIncident
  | CloseIncident;

export type IncidentCommandType = IncidentCommand['type'];
