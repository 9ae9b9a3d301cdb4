import { nameBasedUuid } from '@fireline/event-store/event-id';
import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { Decider } from '@fireline/event-store/decider';
import type { IncidentFacts } from './public-incident-facts';
import type { AdvanceMaintenance, ComponentImpact, StatusPageCommand } from './status-page.commands';
import {
  componentNotFound,
  groupNotFound,
  illegalMaintenanceTransition,
  incidentAlreadyPublished,
  incidentNotPublished,
  limitReached,
  maintenanceNotFound,
  slugTaken,
  statusPageNotFound,
} from './status-page.errors';
import type { MaintenanceUpdate, StatusChangeCause, StatusPageEvent, StatusPageEventBase } from './status-page.events';
import { displayedStatusOf, evolveStatusPage, initialStatusPageState, type StatusPage, type StatusPageState } from './status-page.state';
import { validateStatusPageCommand } from './status-page.validation';
import { MAINTENANCE_STATUSES, STATUS_PAGE_LIMITS, type MaintenanceStatus } from './status-page.values';

/** The public text of a maintenance update when none is given, per status. */
export const DEFAULT_MAINTENANCE_MESSAGES: Record<'in_progress' | 'verifying' | 'completed', string> = {
  in_progress: 'The scheduled maintenance has started.',
  verifying: 'The maintenance work is done and is being verified.',
  completed: 'The scheduled maintenance has been completed.',
};

/**
 * Decides what a status-page command causes. Pure: time and actor come from `command.metadata`.
 * After the command's own events it appends a `ComponentStatusChanged` for every component whose
 * displayed status (see `displayedStatusOf`) the command changes: so publishing, resolving, reopening
 * or unpublishing an incident, and starting or completing a maintenance, move the components, and a
 * resolved incident restores a component unless another open incident (or a running maintenance, or
 * its own status) still holds it.
 *
 * @throws ValidationError `STATUS_PAGE.INVALID`; NotFoundError `STATUS_PAGE.NOT_FOUND` and the other
 *   not-found codes; IllegalStateError `STATUS_PAGE.SLUG_TAKEN`, `…INCIDENT_ALREADY_PUBLISHED`,
 *   `…LIMIT_REACHED`, `…ILLEGAL_MAINTENANCE_TRANSITION` (see `STATUS_PAGE_ERROR_CODES`).
 */
export function decideStatusPage(rawCommand: StatusPageCommand, state: StatusPageState): StatusPageEvent[] {
  const command = validateStatusPageCommand(rawCommand);
  if (command.type === 'CreateStatusPage') {
    if (state.status !== 'none') throw slugTaken(state.slug);
    const { pageId, slug, name, timeZone, description, url } = command.data;
    return [{ type: 'StatusPageCreated', data: { ...base(pageId, command.metadata), slug, name, timeZone, description: description ?? '', url: url ?? null } }];
  }
  if (state.status === 'none') throw statusPageNotFound(command.data.pageId);
  const { events, cause } = decidePrimary(command, state);
  return [...events, ...displayedStatusChanges(state, events, cause, command.metadata)];
}

/** The status page aggregate. */
export const statusPageDecider: Decider<StatusPageCommand, StatusPageEvent, StatusPageState> = {
  decide: decideStatusPage,
  evolve: evolveStatusPage,
  initialState: () => initialStatusPageState,
};

function base(pageId: string, metadata: CommandMetadata): StatusPageEventBase {
  return { pageId, at: metadata.now.toISOString(), by: metadata.actor };
}

const MANUAL: StatusChangeCause = { kind: 'manual' };

function decidePrimary(command: Exclude<StatusPageCommand, { type: 'CreateStatusPage' }>, state: StatusPage): { events: StatusPageEvent[]; cause: StatusChangeCause } {
  const at = base(state.id, command.metadata);
  switch (command.type) {
    case 'UpdateStatusPage': {
      const d = command.data;
      const next = {
        name: d.name ?? state.name,
        timeZone: d.timeZone ?? state.timeZone,
        description: d.description ?? state.description,
        url: d.url === undefined ? state.url : d.url,
      };
      const same = next.name === state.name && next.timeZone === state.timeZone && next.description === state.description && next.url === state.url;
      return { events: same ? [] : [{ type: 'StatusPageUpdated', data: { ...at, ...next } }], cause: MANUAL };
    }
    case 'AddComponentGroup': {
      const { groupId, name } = command.data;
      if (state.groups[groupId]) return { events: [], cause: MANUAL };
      if (Object.keys(state.groups).length >= STATUS_PAGE_LIMITS.groupsMax) throw limitReached('component groups', STATUS_PAGE_LIMITS.groupsMax);
      return { events: [{ type: 'ComponentGroupAdded', data: { ...at, groupId, name } }], cause: MANUAL };
    }
    case 'AddComponent': {
      const d = command.data;
      if (state.components[d.componentId]) return { events: [], cause: MANUAL };
      if (Object.keys(state.components).length >= STATUS_PAGE_LIMITS.componentsMax) throw limitReached('components', STATUS_PAGE_LIMITS.componentsMax);
      const groupId = d.groupId ?? null;
      if (groupId !== null && !state.groups[groupId]) throw groupNotFound(groupId);
      const data = { componentId: d.componentId, name: d.name, description: d.description ?? '', groupId, showcase: d.showcase ?? true, onlyShowIfDegraded: d.onlyShowIfDegraded ?? false };
      return { events: [{ type: 'ComponentAdded', data: { ...at, ...data } }], cause: MANUAL };
    }
    case 'UpdateComponent': {
      const d = command.data;
      const existing = state.components[d.componentId];
      if (!existing) throw componentNotFound(d.componentId);
      const groupId = d.groupId === undefined ? existing.groupId : d.groupId;
      if (groupId !== null && !state.groups[groupId]) throw groupNotFound(groupId);
      const next = {
        componentId: existing.id,
        name: d.name ?? existing.name,
        description: d.description ?? existing.description,
        groupId,
        showcase: d.showcase ?? existing.showcase,
        onlyShowIfDegraded: d.onlyShowIfDegraded ?? existing.onlyShowIfDegraded,
      };
      const same = (['name', 'description', 'groupId', 'showcase', 'onlyShowIfDegraded'] as const).every((key) => next[key] === existing[key]);
      return { events: same ? [] : [{ type: 'ComponentUpdated', data: { ...at, ...next } }], cause: MANUAL };
    }
    case 'RemoveComponent': {
      if (!state.components[command.data.componentId]) throw componentNotFound(command.data.componentId);
      return { events: [{ type: 'ComponentRemoved', data: { ...at, componentId: command.data.componentId } }], cause: MANUAL };
    }
    case 'SetComponentStatus': {
      const { componentId, status } = command.data;
      const existing = state.components[componentId];
      if (!existing) throw componentNotFound(componentId);
      return { events: existing.ownStatus === status ? [] : [{ type: 'ComponentStatusSet', data: { ...at, componentId, status } }], cause: MANUAL };
    }
    case 'PublishIncident': {
      const { incidentId, name, impacts, incident } = command.data;
      if (state.incidents[incidentId]) throw incidentAlreadyPublished(incidentId);
      checkImpacts(state, impacts);
      const published: StatusPageEvent = { type: 'IncidentPublished', data: { ...at, incidentId, name, impacts, startedAt: incident.declaredAt } };
      const after = evolveStatusPage(state, published) as StatusPage;
      return { events: [published, ...syncEvents(after, incidentId, incident, command.metadata)], cause: { kind: 'incident', incidentId } };
    }
    case 'ChangePublishedIncident': {
      const { incidentId } = command.data;
      const existing = state.incidents[incidentId];
      if (!existing) throw incidentNotPublished(incidentId);
      const impacts = command.data.impacts ?? existing.impacts;
      checkImpacts(state, impacts);
      const name = command.data.name ?? existing.name;
      const same = name === existing.name && JSON.stringify(impacts) === JSON.stringify(existing.impacts);
      return { events: same ? [] : [{ type: 'PublishedIncidentChanged', data: { ...at, incidentId, name, impacts } }], cause: { kind: 'incident', incidentId } };
    }
    case 'SyncPublishedIncident': {
      const { incidentId, incident } = command.data;
      return { events: state.incidents[incidentId] ? syncEvents(state, incidentId, incident, command.metadata) : [], cause: { kind: 'incident', incidentId } };
    }
    case 'UnpublishIncident': {
      const { incidentId } = command.data;
      if (!state.incidents[incidentId]) throw incidentNotPublished(incidentId);
      return { events: [{ type: 'IncidentUnpublished', data: { ...at, incidentId } }], cause: { kind: 'incident', incidentId } };
    }
    case 'ScheduleMaintenance': {
      const d = command.data;
      if (state.maintenances[d.maintenanceId]) return { events: [], cause: MANUAL };
      for (const componentId of d.componentIds) if (!state.components[componentId]) throw componentNotFound(componentId);
      const update: MaintenanceUpdate = { id: maintenanceUpdateId(state.id, d.maintenanceId, 1), status: 'scheduled', body: d.message };
      const data = {
        maintenanceId: d.maintenanceId,
        name: d.name,
        scheduledFor: d.scheduledFor,
        scheduledUntil: d.scheduledUntil,
        componentIds: d.componentIds,
        autoStart: d.autoStart ?? true,
        autoComplete: d.autoComplete ?? true,
        update,
      };
      return { events: [{ type: 'MaintenanceScheduled', data: { ...at, ...data } }], cause: { kind: 'maintenance', maintenanceId: d.maintenanceId } };
    }
    case 'AdvanceMaintenance':
      return { events: advanceMaintenance(command, state), cause: { kind: 'maintenance', maintenanceId: command.data.maintenanceId } };
    case 'PostMaintenanceUpdate': {
      const { maintenanceId, updateId, message } = command.data;
      const maintenance = state.maintenances[maintenanceId];
      if (!maintenance) throw maintenanceNotFound(maintenanceId);
      if (maintenance.updateIds.includes(updateId)) return { events: [], cause: MANUAL };
      const update: MaintenanceUpdate = { id: maintenanceUpdateId(state.id, maintenanceId, maintenance.updateCount + 1), status: maintenance.status, body: message };
      return { events: [{ type: 'MaintenanceUpdatePosted', data: { ...at, maintenanceId, updateId, update } }], cause: MANUAL };
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

function checkImpacts(state: StatusPage, impacts: ComponentImpact[]): void {
  for (const impact of impacts) if (!state.components[impact.componentId]) throw componentNotFound(impact.componentId);
}

/** The public id of an incident update on a page (Statuspage ids are unique across pages). */
export function incidentUpdateId(pageId: string, incidentId: string, sourceId: string): string {
  return nameBasedUuid(`status-page:${pageId}:incident:${incidentId}:${sourceId}`);
}

function maintenanceUpdateId(pageId: string, maintenanceId: string, n: number): string {
  return nameBasedUuid(`status-page:${pageId}:maintenance:${maintenanceId}:${n}`);
}

/** The facts of `incident` the page has not published yet, in order, as page events. */
function syncEvents(state: StatusPage, incidentId: string, facts: IncidentFacts, metadata: CommandMetadata): StatusPageEvent[] {
  const seen = new Set(state.incidents[incidentId]?.sourceIds ?? []);
  const at = base(state.id, metadata);
  return facts.updates
    .filter((fact) => !seen.has(fact.sourceId))
    .map((fact): StatusPageEvent => {
      const update = { id: incidentUpdateId(state.id, incidentId, fact.sourceId), status: fact.status, body: fact.body, displayAt: fact.at };
      const common = { ...at, incidentId, sourceId: fact.sourceId, update };
      switch (fact.kind) {
        case 'resolved':
          return { type: 'PublishedIncidentResolved', data: { ...common, resolvedAt: fact.at } };
        case 'reopened':
          return { type: 'PublishedIncidentReopened', data: common };
        case 'update':
          return { type: 'IncidentUpdatePublished', data: common };
        default: {
          const _never: never = fact.kind;
          return _never;
        }
      }
    });
}

function advanceMaintenance(command: AdvanceMaintenance, state: StatusPage): StatusPageEvent[] {
  const { maintenanceId, status: to, message, automatic } = command.data;
  const maintenance = state.maintenances[maintenanceId];
  if (!maintenance) throw maintenanceNotFound(maintenanceId);
  const from = maintenance.status;
  if (automatic) {
    // A timer only acts from the status it was set for; anything else means a human got there first.
    const due = (to === 'in_progress' && from === 'scheduled') || (to === 'completed' && (from === 'in_progress' || from === 'verifying'));
    if (!due) return [];
  }
  if (from === to) return [];
  if (rank(to) < rank(from)) throw illegalMaintenanceTransition(maintenanceId, from, to);
  const update: MaintenanceUpdate = { id: maintenanceUpdateId(state.id, maintenanceId, maintenance.updateCount + 1), status: to, body: message ?? DEFAULT_MAINTENANCE_MESSAGES[to] };
  return [{ type: 'MaintenanceAdvanced', data: { ...base(state.id, command.metadata), maintenanceId, from, update, automatic: automatic ?? false } }];
}

function rank(status: MaintenanceStatus): number {
  return MAINTENANCE_STATUSES.indexOf(status);
}

/** A `ComponentStatusChanged` for each component whose displayed status differs after `events`. */
function displayedStatusChanges(before: StatusPage, events: StatusPageEvent[], cause: StatusChangeCause, metadata: CommandMetadata): StatusPageEvent[] {
  let after: StatusPageState = before;
  for (const event of events) after = evolveStatusPage(after, event);
  if (after.status === 'none') return [];
  const page = after;
  return Object.values(page.components).flatMap((component): StatusPageEvent[] => {
    const to = displayedStatusOf(page, component.id);
    return to === component.status ? [] : [{ type: 'ComponentStatusChanged', data: { ...base(page.id, metadata), componentId: component.id, from: component.status, to, cause } }];
  });
}
