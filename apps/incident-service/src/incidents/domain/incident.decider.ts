import type { Decider } from '@fireline/event-store/decider';
import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type {
  AcknowledgeIncident,
  AddTimelineNote,
  AssignIncidentRole,
  ChangeIncidentSeverity,
  ChangeIncidentStatus,
  DeclareIncident,
  IncidentCommand,
  PostStatusUpdate,
  ResolveIncident,
} from './incident.commands';
import {
  illegalIncidentTransition,
  incidentAlreadyClosed,
  incidentAlreadyDeclared,
  incidentAlreadyResolved,
  incidentClosed,
  incidentNotFound,
  incidentNotResolved,
  invalidIncidentCommand,
} from './incident.errors';
import type { IncidentCloseReason, IncidentEvent, IncidentEventBase } from './incident.events';
import { DEFAULT_POSTMORTEM_POLICY, postmortemRequirement, type PostmortemPolicy } from './postmortem-policy';
import { evolveIncident, initialIncidentState, type Incident, type IncidentState } from './incident.state';
import { validateIncidentCommand } from './incident.validation';
import { OPEN_INCIDENT_STATUSES, type OpenIncidentStatus } from './incident.values';

/**
 * Decides what a command causes, given the incident's current state. Pure: time and actor come from
 * `command.metadata` (`now` → `at` as ISO-8601 UTC, `actor` → `by`). An empty array means the command
 * is an accepted no-op (e.g. acknowledging twice, re-sending a note id already seen).
 *
 * `options.postmortemPolicy` (default `DEFAULT_POSTMORTEM_POLICY`) decides, at `ResolveIncident`, the
 * `postmortem` requirement recorded on `IncidentResolved` (`postmortemRequirement`).
 *
 * Checks run in this order: command data (stateless), existence, then the lifecycle rules.
 *
 * @throws ValidationError `INCIDENT.INVALID` / `INCIDENT.RESOLVE_REQUIRES_SUMMARY` for bad data.
 * @throws NotFoundError `INCIDENT.NOT_FOUND` for any command but `DeclareIncident` on a new stream.
 * @throws IllegalStateError `INCIDENT.ALREADY_DECLARED`, `INCIDENT.ILLEGAL_TRANSITION`,
 *   `INCIDENT.ALREADY_RESOLVED`, `INCIDENT.NOT_RESOLVED`, `INCIDENT.ALREADY_CLOSED`, `INCIDENT.CLOSED`.
 */
export function decideIncident(rawCommand: IncidentCommand, state: IncidentState, options: IncidentDeciderOptions = DEFAULT_INCIDENT_DECIDER_OPTIONS): IncidentEvent[] {
  const command = validateIncidentCommand(rawCommand);
  if (command.type === 'DeclareIncident') return declare(command, state);
  if (state.status === 'none') throw incidentNotFound(command.data.incidentId);

  switch (command.type) {
    case 'AcknowledgeIncident':
      return acknowledge(command, state);
    case 'ChangeIncidentStatus':
      return changeStatus(command, state);
    case 'ChangeIncidentSeverity':
      return changeSeverity(command, state);
    case 'AssignIncidentRole':
      return assignRole(command, state);
    case 'AddTimelineNote':
      return addNote(command, state);
    case 'PostStatusUpdate':
      return postStatusUpdate(command, state);
    case 'ResolveIncident':
      return resolve(command, state, options.postmortemPolicy);
    case 'ReopenIncident':
      return reopen(command.data.reason, command.metadata, state);
    case 'CloseIncident':
      return close(command.metadata, state, command.data.reason);
    default: {
      const _exhaustive: never = command;
      throw invalidIncidentCommand([{ field: 'type', message: `unknown command type ${String((_exhaustive as { type?: unknown }).type)}` }]);
    }
  }
}

/** What the incident decider is configured with: the postmortem policy (`POSTMORTEM_REQUIRED_FOR`). */
export interface IncidentDeciderOptions {
  postmortemPolicy: PostmortemPolicy;
}

export const DEFAULT_INCIDENT_DECIDER_OPTIONS: Readonly<IncidentDeciderOptions> = Object.freeze({ postmortemPolicy: DEFAULT_POSTMORTEM_POLICY });

/** The incident aggregate with `options`: {@link decideIncident}, {@link evolveIncident}, {@link initialIncidentState}. */
export function createIncidentDecider(options: IncidentDeciderOptions = DEFAULT_INCIDENT_DECIDER_OPTIONS): Decider<IncidentCommand, IncidentEvent, IncidentState> {
  return {
    decide: (command, state) => decideIncident(command, state, options),
    evolve: evolveIncident,
    initialState: () => initialIncidentState,
  };
}

/** The incident aggregate under the default postmortem policy (`SEV1,SEV2,human`). */
export const incidentDecider: Decider<IncidentCommand, IncidentEvent, IncidentState> = createIncidentDecider();

function base(incidentId: string, metadata: CommandMetadata): IncidentEventBase {
  return { incidentId, at: metadata.now.toISOString(), by: metadata.actor };
}

function declare(command: DeclareIncident, state: IncidentState): IncidentEvent[] {
  const { incidentId, title, description, severity, services, detectionSource } = command.data;
  if (state.status !== 'none') throw incidentAlreadyDeclared(incidentId);
  return [
    {
      type: 'IncidentDeclared',
      data: { ...base(incidentId, command.metadata), title, description, severity, services: [...services], detectionSource },
    },
  ];
}

function acknowledge(command: AcknowledgeIncident, state: Incident): IncidentEvent[] {
  if (state.status === 'closed') throw incidentClosed(state.id);
  if (state.status === 'resolved') throw incidentAlreadyResolved(state.id);
  if (state.acknowledgedAt !== null) return [];
  return [{ type: 'IncidentAcknowledged', data: base(state.id, command.metadata) }];
}

/**
 * - to `closed`: same as `CloseIncident`;
 * - on a closed incident: `INCIDENT.CLOSED`; to the current status: no-op;
 * - from `resolved` to an open status: a reopen (the note is the required reason), which always lands
 *   on `investigating`;
 * - between open statuses: any forward move, or back to `investigating` from `identified`/`mitigating`.
 * (`resolved` as target was refused by validation.)
 */
function changeStatus(command: ChangeIncidentStatus, state: Incident): IncidentEvent[] {
  const { status: to, note } = command.data;
  if (to === 'closed') return close(command.metadata, state);
  if (state.status === 'closed') throw incidentClosed(state.id);
  if (to === state.status) return [];
  if (to === 'resolved') throw illegalIncidentTransition(state.id, state.status, to); // unreachable: refused by validation
  const from = state.status;
  if (from === 'resolved') {
    if (note === undefined) throw invalidIncidentCommand([{ field: 'note', message: 'is required to reopen a resolved incident' }]);
    return reopen(note, command.metadata, state);
  }
  if (!isStatusMoveAllowed(from, to)) throw illegalIncidentTransition(state.id, from, to);
  return [{ type: 'IncidentStatusChanged', data: { ...base(state.id, command.metadata), from, to, note: note ?? null } }];
}

function isStatusMoveAllowed(from: OpenIncidentStatus, to: OpenIncidentStatus): boolean {
  const forward = OPEN_INCIDENT_STATUSES.indexOf(to) > OPEN_INCIDENT_STATUSES.indexOf(from);
  // Going back to investigating means the hypothesis (identified cause or mitigation) was wrong.
  const backToInvestigating = to === 'investigating' && (from === 'identified' || from === 'mitigating');
  return forward || backToInvestigating;
}

function changeSeverity(command: ChangeIncidentSeverity, state: Incident): IncidentEvent[] {
  const { severity: to, reason } = command.data;
  if (state.status === 'closed') throw incidentClosed(state.id);
  if (to === state.severity) return [];
  return [{ type: 'IncidentSeverityChanged', data: { ...base(state.id, command.metadata), from: state.severity, to, reason } }];
}

function assignRole(command: AssignIncidentRole, state: Incident): IncidentEvent[] {
  const { role, assignee } = command.data;
  if (state.status === 'closed') throw incidentClosed(state.id);
  const previousAssignee = state.roles[role];
  if (previousAssignee === assignee) return [];
  return [{ type: 'IncidentRoleAssigned', data: { ...base(state.id, command.metadata), role, assignee, previousAssignee } }];
}

// A note or update id seen before is a retry of a command that already succeeded: answer it as then
// (no-op), even if the incident has been closed since.
function addNote(command: AddTimelineNote, state: Incident): IncidentEvent[] {
  const { noteId, text } = command.data;
  if (state.noteIds.includes(noteId)) return [];
  if (state.status === 'closed') throw incidentClosed(state.id);
  return [{ type: 'TimelineNoteAdded', data: { ...base(state.id, command.metadata), noteId, text } }];
}

function postStatusUpdate(command: PostStatusUpdate, state: Incident): IncidentEvent[] {
  const { updateId, audience, message, publicStatus } = command.data;
  if (state.updateIds.includes(updateId)) return [];
  if (state.status === 'closed') throw incidentClosed(state.id);
  return [
    {
      type: 'StatusUpdatePosted',
      data: { ...base(state.id, command.metadata), updateId, audience, message, ...(publicStatus === undefined ? {} : { publicStatus }) },
    },
  ];
}

function resolve(command: ResolveIncident, state: Incident, policy: PostmortemPolicy): IncidentEvent[] {
  if (state.status === 'closed') throw incidentClosed(state.id);
  if (state.status === 'resolved') throw incidentAlreadyResolved(state.id);
  const postmortem = postmortemRequirement(policy, {
    highestSeverity: state.highestSeverity,
    firstHumanActor: state.firstHumanActor,
    declaredBy: state.declaredBy,
    resolvedBy: command.metadata.actor,
  });
  return [{ type: 'IncidentResolved', data: { ...base(state.id, command.metadata), summary: command.data.summary, postmortem } }];
}

function reopen(reason: string, metadata: CommandMetadata, state: Incident): IncidentEvent[] {
  if (state.status === 'closed') throw incidentClosed(state.id);
  if (state.status !== 'resolved') throw incidentNotResolved(state.id, state.status);
  return [{ type: 'IncidentReopened', data: { ...base(state.id, metadata), reason } }];
}

function close(metadata: CommandMetadata, state: Incident, reason?: IncidentCloseReason): IncidentEvent[] {
  if (state.status === 'closed') throw incidentAlreadyClosed(state.id);
  if (state.status !== 'resolved') throw incidentNotResolved(state.id, state.status);
  return [{ type: 'IncidentClosed', data: { ...base(state.id, metadata), ...(reason === undefined ? {} : { reason }) } }];
}
