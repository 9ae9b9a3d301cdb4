import type { StatusPageComponentV1, StatusPageIncidentV1, StatusPageIntegrationEventV1, StatusPageMaintenanceV1 } from '@fireline/contracts';

/**
 * What mirroring one status-page event to Atlassian Statuspage takes, as plain data (no I/O): the
 * Manage API v1 calls (https://developer.statuspage.io, "Incidents" and "Components"), in order. Bodies
 * use Statuspage's root-key wrapping (`{ "component": {…} }`, `{ "incident": {…} }`); Fireline component
 * ids are named here and replaced by the mapped Statuspage ids when the call is made.
 *
 * - `ensure-components`: every listed Fireline component has a Statuspage twin (adopted by name, else
 *   created) before anything refers to it;
 * - `set-component-status`: `PATCH /v1/pages/{page_id}/components/{id}` `{ component: { status } }`;
 * - `create-incident`: `POST /v1/pages/{page_id}/incidents` unless the Fireline id is mapped already (or
 *   an incident with its marker exists: `metadata.fireline.id`), realtime (`status`, `impact_override`,
 *   `body`, `component_ids`, `components`) or scheduled maintenance (`status: scheduled`,
 *   `scheduled_for`, `scheduled_until`, `scheduled_remind_prior`, `scheduled_auto_in_progress`,
 *   `scheduled_auto_completed` — Fireline's own timers move it, so Statuspage's are off);
 * - `update-incident`: `PATCH /v1/pages/{page_id}/incidents/{id}` with `status`, `body` (a new update) and
 *   the components' statuses;
 * - `delete-incident`: `DELETE /v1/pages/{page_id}/incidents/{id}` (taken off the Fireline page).
 */
export type StatuspageCall =
  | { kind: 'ensure-components'; components: StatusPageComponentV1[] }
  | { kind: 'set-component-status'; componentId: string; status: StatusPageComponentV1['status'] }
  | { kind: 'create-incident'; firelineId: string; objectKind: 'incident' | 'maintenance'; incident: Record<string, unknown>; componentStatuses: ComponentStatuses }
  | { kind: 'update-incident'; firelineId: string; objectKind: 'incident' | 'maintenance'; incident: Record<string, unknown>; componentStatuses: ComponentStatuses }
  | { kind: 'delete-incident'; firelineId: string; objectKind: 'incident' };

/** Fireline component id -> the status the incident gives it. */
export type ComponentStatuses = Record<string, StatusPageComponentV1['status']>;

/** The marker every incident Fireline creates carries (`metadata` top-level values must be objects). */
export function firelineMarker(firelineId: string): Record<string, unknown> {
  return { fireline: { id: firelineId } };
}

function statusesOf(components: StatusPageComponentV1[]): ComponentStatuses {
  return Object.fromEntries(components.map((c) => [c.id, c.status]));
}

function incidentCreate(i: StatusPageIncidentV1): Record<string, unknown> {
  return {
    name: i.name,
    status: i.status,
    impact_override: i.impact,
    body: i.updates[0]?.body ?? '',
    deliver_notifications: true,
    metadata: firelineMarker(i.id),
  };
}

function maintenanceCreate(m: StatusPageMaintenanceV1): Record<string, unknown> {
  return {
    name: m.name,
    status: m.status,
    scheduled_for: m.scheduledFor,
    scheduled_until: m.scheduledUntil,
    scheduled_remind_prior: true,
    scheduled_auto_in_progress: false,
    scheduled_auto_completed: false,
    body: m.updates[0]?.body ?? '',
    deliver_notifications: true,
    metadata: firelineMarker(m.id),
  };
}

/** The calls that mirror `event` (empty for events Statuspage has nothing for). */
export function statuspageCallsFor(event: StatusPageIntegrationEventV1): StatuspageCall[] {
  switch (event.type) {
    case 'StatusPageChanged':
      return event.data.page.components?.length ? [{ kind: 'ensure-components', components: event.data.page.components }] : [];
    case 'StatusPageComponentStatusChanged':
      return [
        { kind: 'ensure-components', components: [event.data.component] },
        { kind: 'set-component-status', componentId: event.data.component.id, status: event.data.newStatus },
      ];
    case 'StatusPageIncidentPublished': {
      const i = event.data.incident;
      return [
        { kind: 'ensure-components', components: i.components },
        { kind: 'create-incident', firelineId: i.id, objectKind: 'incident', incident: incidentCreate(i), componentStatuses: statusesOf(i.components) },
      ];
    }
    case 'StatusPageIncidentUpdated': {
      const i = event.data.incident;
      const patch: Record<string, unknown> =
        event.data.change === 'details' || event.data.update === null ? { name: i.name, impact_override: i.impact } : { status: i.status, body: event.data.update.body };
      return [
        { kind: 'ensure-components', components: i.components },
        // A redelivery that finds no twin (the publish was mirrored before the sync was configured) creates it first.
        { kind: 'create-incident', firelineId: i.id, objectKind: 'incident', incident: incidentCreate(i), componentStatuses: statusesOf(i.components) },
        { kind: 'update-incident', firelineId: i.id, objectKind: 'incident', incident: patch, componentStatuses: statusesOf(i.components) },
      ];
    }
    case 'StatusPageIncidentUnpublished':
      return [{ kind: 'delete-incident', firelineId: event.data.incidentId, objectKind: 'incident' }];
    case 'StatusPageMaintenanceScheduled': {
      const m = event.data.maintenance;
      return [
        { kind: 'ensure-components', components: m.components },
        { kind: 'create-incident', firelineId: m.id, objectKind: 'maintenance', incident: maintenanceCreate(m), componentStatuses: statusesOf(m.components) },
      ];
    }
    case 'StatusPageMaintenanceUpdated': {
      const m = event.data.maintenance;
      return [
        { kind: 'ensure-components', components: m.components },
        { kind: 'create-incident', firelineId: m.id, objectKind: 'maintenance', incident: maintenanceCreate(m), componentStatuses: statusesOf(m.components) },
        { kind: 'update-incident', firelineId: m.id, objectKind: 'maintenance', incident: { status: m.status, body: event.data.update.body }, componentStatuses: statusesOf(m.components) },
      ];
    }
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
