import type { StatusPageComponentV1, StatusPageIncidentV1, StatusPageMaintenanceV1, StatusPageUpdateV1 } from '@fireline/contracts';
import type { StatusPageNotification } from './status-page-notification';

/** Where Atlassian documents the body shape; every body names it in `meta.documentation`, as Statuspage's do. */
export const STATUSPAGE_WEBHOOK_DOCUMENTATION = 'https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/';

/**
 * The JSON body of a status-page webhook notification, in the shape of Atlassian Statuspage's
 * subscriber webhooks (support.atlassian.com, "Enable webhook notifications", and the bodies
 * Statuspage sends): `meta` (`unsubscribe`, `documentation`, `generated_at`), `page` (`id`,
 * `status_indicator`, `status_description`), then either `incident` (maintenance included, with its
 * `scheduled_*` fields) or `component_update` and `component`. The field list is in
 * `docs/status-pages.md`, "Subscriber notifications".
 */
export type StatuspageWebhookBody = {
  meta: { unsubscribe: string; documentation: string; generated_at: string };
  page: { id: string; status_indicator: string; status_description: string };
} & ({ incident: Record<string, unknown> } | { component_update: Record<string, unknown>; component: Record<string, unknown> });

function componentFields(c: StatusPageComponentV1, pageId: string): Record<string, unknown> {
  return { status: c.status, name: c.name, id: c.id, page_id: pageId, group_id: c.groupId };
}

function updateFields(u: StatusPageUpdateV1, incidentId: string): Record<string, unknown> {
  return {
    status: u.status,
    body: u.body,
    created_at: u.createdAt,
    updated_at: u.createdAt,
    display_at: u.displayAt,
    affected_components: null,
    deliver_notifications: true,
    id: u.id,
    incident_id: incidentId,
  };
}

function incidentFields(i: StatusPageIncidentV1, pageId: string): Record<string, unknown> {
  return {
    name: i.name,
    status: i.status,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    monitoring_at: i.monitoringAt,
    resolved_at: i.resolvedAt,
    impact: i.impact,
    shortlink: i.shortlink,
    started_at: i.startedAt,
    scheduled_for: null,
    scheduled_until: null,
    id: i.id,
    page_id: pageId,
    incident_updates: i.updates.map((u) => updateFields(u, i.id)),
    components: i.components.map((c) => componentFields(c, pageId)),
  };
}

function maintenanceFields(m: StatusPageMaintenanceV1, pageId: string): Record<string, unknown> {
  return {
    name: m.name,
    status: m.status,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    monitoring_at: null,
    resolved_at: m.completedAt,
    impact: 'maintenance',
    shortlink: m.shortlink,
    started_at: m.startedAt,
    scheduled_for: m.scheduledFor,
    scheduled_until: m.scheduledUntil,
    id: m.id,
    page_id: pageId,
    incident_updates: m.updates.map((u) => updateFields(u, m.id)),
    components: m.components.map((c) => componentFields(c, pageId)),
  };
}

/**
 * The webhook body of `notification` for one subscriber, whose unsubscribe link is `unsubscribeUrl`.
 * `generatedAt` is an ISO-8601 time (the notification's).
 */
export function statuspageWebhookBody(notification: StatusPageNotification, unsubscribeUrl: string): StatuspageWebhookBody {
  const page = notification.page;
  const head = {
    meta: { unsubscribe: unsubscribeUrl, documentation: STATUSPAGE_WEBHOOK_DOCUMENTATION, generated_at: notification.occurredAt },
    page: { id: page.id, status_indicator: page.statusIndicator, status_description: page.statusDescription },
  };
  switch (notification.kind) {
    case 'incident':
      return { ...head, incident: incidentFields(notification.incident, page.id) };
    case 'maintenance':
      return { ...head, incident: maintenanceFields(notification.maintenance, page.id) };
    case 'component':
      return {
        ...head,
        component_update: {
          old_status: notification.oldStatus,
          new_status: notification.newStatus,
          created_at: notification.occurredAt,
          component_type: 'Component',
          id: notification.eventId,
          component_id: notification.component.id,
        },
        component: componentFields(notification.component, page.id),
      };
    default: {
      const exhaustive: never = notification;
      return exhaustive;
    }
  }
}
