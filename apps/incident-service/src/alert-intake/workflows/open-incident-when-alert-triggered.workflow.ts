import { nameBasedUuid } from '@fireline/event-store';
import type { CommandMetadata } from '@fireline/event-store';
import type { IncidentCommand } from '../../incidents/domain/incident.commands';
import type { IncidentEvent } from '../../incidents/domain/incident.events';
import { INCIDENT_LIMITS } from '../../incidents/domain/incident.validation';
import { integrationActor, type Integration } from '../integrations/domain/integration';
import type { AutoResolvePolicy } from '../integrations/domain/integration.values';
import { alertStreamId } from '../domain/alert-stream';
import type { AlertEvent } from '../domain/alert.events';

/** The subscription name of this process manager (its checkpoint row and advisory lock). */
export const OPEN_INCIDENT_WHEN_ALERT_TRIGGERED = 'workflow:open-incident-when-alert-triggered';

/**
 * The incident of one alert incarnation: `nameBasedUuid(<alert stream id>:<incarnation>)`, so that a
 * replay, a second instance or a race all address the same incident and cannot open two.
 */
export function incidentIdOfAlert(integrationId: string, dedupKey: string, incarnation: number): string {
  return nameBasedUuid(`${alertStreamId(integrationId, dedupKey)}:${incarnation}`);
}

/** What the process manager knows when it reacts to one stored alert event. */
export interface AlertReactionContext {
  /** The stored alert event's id: the causation, and the seed of the incident command's id. */
  eventId: string;
  correlationId: string;
  integration: Integration;
  /** The incident's stored events (needed for `AlertResolved`: has a human taken over?). */
  incidentEvents: IncidentEvent[];
}

/** Cuts `text` to `max` code points (the incident limits count code points), marking the cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * The first actor other than the integration on the incident after its declaration, or `null`: an
 * incident is "taken over" once anyone but the integration has acted on it (acknowledged, changed
 * status or severity, took a role, wrote a note, resolved…).
 */
export function humanTakingOver(incidentEvents: IncidentEvent[], integrationId: string): string | null {
  const actor = integrationActor(integrationId);
  return incidentEvents.slice(1).find((event) => event.data.by !== actor)?.data.by ?? null;
}

/** What to do with the incident when its alert resolved: resolve it, or only note why not. */
export type AlertResolvedPlan = { action: 'resolve' } | { action: 'note'; because: string };

/**
 * The integration's `autoResolve` policy applied to the incident's history (pure):
 * - `unless_taken_over`: resolve, unless someone other than the integration has acted on it;
 * - `always`: resolve even then;
 * - `never`: never resolve, only note it.
 */
export function planAlertResolved(policy: AutoResolvePolicy, incidentEvents: IncidentEvent[], integrationId: string): AlertResolvedPlan {
  switch (policy) {
    case 'always':
      return { action: 'resolve' };
    case 'never':
      return { action: 'note', because: 'this integration is set never to resolve incidents automatically' };
    case 'unless_taken_over': {
      const human = humanTakingOver(incidentEvents, integrationId);
      return human === null ? { action: 'resolve' } : { action: 'note', because: `${human} has taken it over` };
    }
    default: {
      const _exhaustive: never = policy;
      throw new Error(`unknown autoResolve policy ${String(_exhaustive)}`);
    }
  }
}

/**
 * The incident command an alert event calls for (pure; one command per alert event, whose id derives
 * from the alert event's, so reacting twice appends nothing new):
 * - `AlertTriggered` (a new incarnation): `DeclareIncident` for the integration's service, severity
 *   through its mapping, title = summary, detection source `alert:<integration name>`;
 * - `AlertRetriggered` without fingerprint: nothing (a repeated trigger only counts, as in PagerDuty; most
 *   are absorbed before the stream by `alert_dedup`); with one: a timeline note (another alert joined);
 * - `AlertMemberResolved`: a timeline note (one alert of the group resolved, others still fire);
 * - `AlertAcknowledged`: `AcknowledgeIncident`;
 * - `AlertResolved`: `ResolveIncident` ("Alert resolved: …") or a note saying why not, as the
 *   integration's `autoResolve` policy says (`planAlertResolved`).
 */
export function incidentCommandForAlert(event: AlertEvent, context: AlertReactionContext): IncidentCommand | null {
  const { integration } = context;
  const { integrationId, dedupKey, incarnation } = event.data;
  const incidentId = incidentIdOfAlert(integrationId, dedupKey, incarnation);
  const metadata: CommandMetadata = {
    now: new Date(event.data.at),
    actor: integrationActor(integrationId),
    correlationId: context.correlationId,
    causationId: context.eventId,
    commandId: `${OPEN_INCIDENT_WHEN_ALERT_TRIGGERED}:${context.eventId}`,
  };
  const noteId = `alert:${context.eventId}`;
  switch (event.type) {
    case 'AlertTriggered': {
      const d = event.data;
      const lines = [
        `Opened from alert ${dedupKey} of integration ${integration.name} (source: ${d.source}).`,
        ...(d.component ? [`Component: ${d.component}`] : []),
        ...(d.group ? [`Group: ${d.group}`] : []),
        ...(d.class ? [`Class: ${d.class}`] : []),
        ...d.links.map((link) => `Link: ${link.text ? `${link.text} ` : ''}${link.href}`),
        ...(d.customDetails !== null && d.customDetails !== undefined ? [`Details: ${JSON.stringify(d.customDetails, null, 2)}`] : []),
      ];
      return {
        type: 'DeclareIncident',
        data: {
          incidentId,
          title: clip(d.summary.trim(), INCIDENT_LIMITS.titleMax),
          description: clip(lines.join('\n'), INCIDENT_LIMITS.textMax),
          severity: integration.severityMapping[d.severity],
          services: [clip(integration.service, INCIDENT_LIMITS.serviceMax)],
          detectionSource: clip(`alert:${integration.name}`, INCIDENT_LIMITS.detectionSourceMax),
        },
        metadata,
      };
    }
    case 'AlertRetriggered': {
      const { fingerprint, triggerCount, summary } = event.data;
      if (fingerprint === undefined) return null;
      const text = `Another alert of the group started firing (fingerprint ${fingerprint}, trigger #${triggerCount}): ${summary}`;
      return { type: 'AddTimelineNote', data: { incidentId, noteId, text: clip(text, INCIDENT_LIMITS.textMax) }, metadata };
    }
    case 'AlertMemberResolved': {
      const { fingerprint, summary, stillFiring } = event.data;
      const text = `Alert ${fingerprint} of the group resolved${summary ? ` (${summary})` : ''}; ${stillFiring} still firing, so the incident stays open.`;
      return { type: 'AddTimelineNote', data: { incidentId, noteId, text: clip(text, INCIDENT_LIMITS.textMax) }, metadata };
    }
    case 'AlertAcknowledged':
      return { type: 'AcknowledgeIncident', data: { incidentId }, metadata };
    case 'AlertResolved': {
      const summary = event.data.summary ?? context.incidentEvents.find((e) => e.type === 'IncidentDeclared')?.data.title ?? dedupKey;
      const plan = planAlertResolved(integration.autoResolve, context.incidentEvents, integrationId);
      if (plan.action === 'note') {
        return {
          type: 'AddTimelineNote',
          data: {
            incidentId,
            noteId,
            text: clip(`Alert resolved at the source (${summary}); not resolving the incident automatically because ${plan.because}.`, INCIDENT_LIMITS.textMax),
          },
          metadata,
        };
      }
      return { type: 'ResolveIncident', data: { incidentId, summary: clip(`Alert resolved: ${summary}`, INCIDENT_LIMITS.textMax) }, metadata };
    }
    default: {
      const _exhaustive: never = event;
      throw new Error(`unknown alert event ${String((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}
