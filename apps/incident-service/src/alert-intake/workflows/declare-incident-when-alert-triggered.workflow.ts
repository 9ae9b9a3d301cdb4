import type { IncidentCommand } from '../../incidents/domain/incident.commands';
import { INCIDENT_LIMITS } from '../../incidents/domain/incident.validation';
import type { AlertTriggered } from '../domain/alert.events';
import { clip, commandMetadata, incidentIdIn, type AlertReactionContext } from './alert-incident';
import { raiseIncidentSeverityWhenAlertEscalates } from './raise-incident-severity-when-alert-escalates.workflow';

/**
 * A new alert incarnation (`AlertTriggered`). Pure.
 * - Normally: `DeclareIncident` with the alert's service (from its labels) or else the integration's,
 *   severity through the integration's mapping, title = summary, detection source `alert:<integration>`.
 * - When the incarnation attached to the still-open incident of the previous one (`context.attached`:
 *   a human kept it open after its alerts ended, or the integration never resolves): a timeline note
 *   there, and a severity raise if the alert is more severe — not a second incident for one group.
 */
export function declareIncidentWhenAlertTriggered(event: AlertTriggered, context: AlertReactionContext): IncidentCommand[] {
  const { integration } = context;
  const d = event.data;
  const incidentId = incidentIdIn(event, context);
  if (context.attached) {
    const text = `Alerts of ${d.fingerprint !== undefined ? 'the group' : `alert ${d.dedupKey}`} are firing again (incarnation ${d.incarnation}): ${d.summary}. Attached to this incident, which is still open.`;
    return [
      { type: 'AddTimelineNote', data: { incidentId, noteId: `alert:${context.eventId}`, text: clip(text, INCIDENT_LIMITS.textMax) }, metadata: commandMetadata(event, context) },
      ...raiseIncidentSeverityWhenAlertEscalates(event, context),
    ];
  }
  const lines = [
    `Opened from alert ${d.dedupKey} of integration ${integration.name} (source: ${d.source}).`,
    ...(d.component ? [`Component: ${d.component}`] : []),
    ...(d.group ? [`Group: ${d.group}`] : []),
    ...(d.class ? [`Class: ${d.class}`] : []),
    ...d.links.map((link) => `Link: ${link.text ? `${link.text} ` : ''}${link.href}`),
    ...(d.customDetails !== null && d.customDetails !== undefined ? [`Details: ${JSON.stringify(d.customDetails, null, 2)}`] : []),
  ];
  return [
    {
      type: 'DeclareIncident',
      data: {
        incidentId,
        title: clip(d.summary.trim(), INCIDENT_LIMITS.titleMax),
        description: clip(lines.join('\n'), INCIDENT_LIMITS.textMax),
        severity: integration.severityMapping[d.severity],
        services: [clip(d.service ?? integration.service, INCIDENT_LIMITS.serviceMax)],
        detectionSource: clip(`alert:${integration.name}`, INCIDENT_LIMITS.detectionSourceMax),
      },
      metadata: commandMetadata(event, context),
    },
  ];
}
