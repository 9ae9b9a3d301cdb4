import { nameBasedUuid } from '@fireline/event-store/event-id';
import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { IncidentCommand } from '../../../incidents/domain/incident.commands';
import type { Severity } from '../../../incidents/domain/incident.values';
import { integrationActor } from '../../integrations/domain/integration';
import type { PagerDutyWebhookEvent } from './pagerduty-webhook-event';

/** What of the integration the mapping needs. */
export interface PagerDutyIntegrationRef {
  id: string;
  name: string;
  service: string;
}

/** A PagerDuty event becomes one incident command, or is ignored for a reason (answered 2xx all the same). */
export type PagerDutyMapping = { kind: 'command'; command: IncidentCommand; pagerDutyIncidentId: string } | { kind: 'ignore'; reason: string };

export interface PagerDutyMappingInput {
  integration: PagerDutyIntegrationRef;
  event: PagerDutyWebhookEvent;
  /** When the delivery arrived: the command's clock when `occurred_at` is missing or unreadable. */
  receivedAt: Date;
  correlationId: string;
}

/** The `event_type`s mirrored onto Fireline incidents. */
export const MIRRORED_EVENT_TYPES = ['incident.triggered', 'incident.acknowledged', 'incident.annotated', 'incident.priority_updated', 'incident.resolved'] as const;
export type MirroredEventType = (typeof MIRRORED_EVENT_TYPES)[number];

export const RESOLVED_IN_PAGERDUTY = 'Resolved in PagerDuty';

/** The Fireline incident mirroring PagerDuty incident `pagerDutyIncidentId` of an integration: same inputs, same id. */
export function mirroredIncidentId(integrationId: string, pagerDutyIncidentId: string): string {
  return nameBasedUuid(`pagerduty:${integrationId}:${pagerDutyIncidentId}`);
}

/** The command id of a PagerDuty event: a redelivery of the same `event.id` is recognised by the event store. */
export function mirroredCommandId(integrationId: string, eventId: string): string {
  return nameBasedUuid(`pagerduty-event:${integrationId}:${eventId}`);
}

/**
 * Severity of a PagerDuty incident: from its priority when it has one of the default `P1`..`P5`
 * (P1 → SEV1, P2 → SEV2, P3 → SEV3, P4 and P5 → SEV4); otherwise (no priority, or a custom priority
 * name) from its urgency (high → SEV2, low → SEV4); SEV3 when neither is readable.
 */
export function severityOfPagerDutyIncident(incident: Record<string, unknown>): Severity {
  const priority = prioritySummaryOf(incident);
  const match = priority === null ? null : /^P([1-5])$/i.exec(priority.trim());
  if (match) return (['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV4'] as const)[Number(match[1]) - 1];
  if (incident.urgency === 'high') return 'SEV2';
  if (incident.urgency === 'low') return 'SEV4';
  return 'SEV3';
}

/**
 * Maps a PagerDuty Webhooks v3 event onto a Fireline incident command (pure):
 *
 * | `event_type`                | command                  | notes                                                  |
 * | --------------------------- | ------------------------ | ------------------------------------------------------ |
 * | `incident.triggered`        | `DeclareIncident`        | id from the PD incident id; severity, see below        |
 * | `incident.acknowledged`     | `AcknowledgeIncident`    |                                                        |
 * | `incident.annotated`        | `AddTimelineNote`        | `noteId` = `event.id`, `text` = `data.content`         |
 * | `incident.priority_updated` | `ChangeIncidentSeverity` | reason names the PD priority                           |
 * | `incident.resolved`         | `ResolveIncident`        | summary "Resolved in PagerDuty"                        |
 * | anything else               | ignored                  | e.g. `incident.reassigned`, `service.updated`, `pagey.ping` |
 *
 * Severity: {@link severityOfPagerDutyIncident}. Every command carries actor `integration:<id>`,
 * the clock `occurred_at` (so that a redelivery builds the very same command) and a `commandId`
 * derived from `event.id` (so that the event store appends a redelivery's events only once).
 */
export function mapPagerDutyIncidentEvent({ integration, event, receivedAt, correlationId }: PagerDutyMappingInput): PagerDutyMapping {
  if (!isMirrored(event.eventType)) return { kind: 'ignore', reason: `ignored: event type ${event.eventType} is not mirrored` };
  if (event.resourceType !== null && event.resourceType !== 'incident') {
    return { kind: 'ignore', reason: `ignored: resource type ${event.resourceType} is not an incident` };
  }
  const eventType: MirroredEventType = event.eventType;
  const data = event.data;
  const pagerDutyIncidentId = eventType === 'incident.annotated' ? stringOf(objectOf(data.incident)?.id) : stringOf(data.id);
  if (pagerDutyIncidentId === null) {
    return { kind: 'ignore', reason: `ignored: ${eventType} without ${eventType === 'incident.annotated' ? 'event.data.incident.id' : 'event.data.id'}` };
  }
  const incidentId = mirroredIncidentId(integration.id, pagerDutyIncidentId);
  const metadata: CommandMetadata = {
    now: clockOf(event.occurredAt, receivedAt),
    actor: integrationActor(integration.id),
    correlationId,
    commandId: mirroredCommandId(integration.id, event.id),
  };
  const command = (c: IncidentCommand): PagerDutyMapping => ({ kind: 'command', command: c, pagerDutyIncidentId });

  switch (eventType) {
    case 'incident.triggered':
      return command({
        type: 'DeclareIncident',
        data: {
          incidentId,
          title: titleOf(data, pagerDutyIncidentId),
          description: descriptionOf(data, pagerDutyIncidentId),
          severity: severityOfPagerDutyIncident(data),
          services: servicesOf(integration.service, data),
          detectionSource: truncate(`pagerduty:${integration.name.trim()}`, 100),
        },
        metadata,
      });
    case 'incident.acknowledged':
      return command({ type: 'AcknowledgeIncident', data: { incidentId }, metadata });
    case 'incident.annotated': {
      const content = stringOf(data.content);
      if (content === null) return { kind: 'ignore', reason: 'ignored: incident.annotated without note content' };
      return command({ type: 'AddTimelineNote', data: { incidentId, noteId: event.id, text: truncate(content, 10_000) }, metadata });
    }
    case 'incident.priority_updated': {
      const priority = prioritySummaryOf(data);
      const severity = severityOfPagerDutyIncident(data);
      const reason =
        priority === null
          ? `PagerDuty priority removed (urgency ${String(data.urgency ?? 'unknown')})`
          : `PagerDuty priority changed to ${truncate(priority, 100)}`;
      return command({ type: 'ChangeIncidentSeverity', data: { incidentId, severity, reason }, metadata });
    }
    case 'incident.resolved':
      return command({ type: 'ResolveIncident', data: { incidentId, summary: RESOLVED_IN_PAGERDUTY }, metadata });
    default: {
      const _never: never = eventType;
      return { kind: 'ignore', reason: `ignored: event type ${String(_never)} is not mirrored` };
    }
  }
}

function isMirrored(eventType: string): eventType is MirroredEventType {
  return (MIRRORED_EVENT_TYPES as readonly string[]).includes(eventType);
}

function objectOf(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A non-blank string, trimmed; else `null`. */
function stringOf(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function prioritySummaryOf(incident: Record<string, unknown>): string | null {
  return stringOf(objectOf(incident.priority)?.summary);
}

/** At most `max` characters (code points, as the incident validation counts them). */
function truncate(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

function clockOf(occurredAt: string | null, receivedAt: Date): Date {
  const at = occurredAt === null ? Number.NaN : Date.parse(occurredAt);
  return Number.isNaN(at) ? receivedAt : new Date(at);
}

function titleOf(incident: Record<string, unknown>, pagerDutyIncidentId: string): string {
  return truncate(stringOf(incident.title) ?? `PagerDuty incident ${pagerDutyIncidentId}`, 200);
}

function descriptionOf(incident: Record<string, unknown>, pagerDutyIncidentId: string): string {
  const number = typeof incident.number === 'number' ? ` #${incident.number}` : '';
  const url = stringOf(incident.html_url);
  return truncate(`Mirrored from PagerDuty incident${number} (${pagerDutyIncidentId})${url ? `: ${url}` : ''}`, 10_000);
}

/** The integration's service, then PagerDuty's service name when it differs (each at most 100 characters). */
function servicesOf(integrationService: string, incident: Record<string, unknown>): string[] {
  const services = [truncate(integrationService.trim(), 100)];
  const pagerDutyService = stringOf(objectOf(incident.service)?.summary);
  if (pagerDutyService !== null) {
    const name = truncate(pagerDutyService, 100);
    if (!services.includes(name)) services.push(name);
  }
  return services;
}
