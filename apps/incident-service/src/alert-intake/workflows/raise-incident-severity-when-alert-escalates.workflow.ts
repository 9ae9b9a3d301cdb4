import type { IncidentCommand } from '../../incidents/domain/incident.commands';
import { INCIDENT_SEVERITIES, type Severity } from '../../incidents/domain/incident.values';
import type { AlertRetriggered, AlertTriggered } from '../domain/alert.events';
import { commandMetadata, incidentIdIn, incidentStateOf, type AlertReactionContext } from './alert-incident';

/** True when `a` is more severe than `b` (SEV1 is the most severe). */
export function isMoreSevere(a: Severity, b: Severity): boolean {
  return INCIDENT_SEVERITIES.indexOf(a) < INCIDENT_SEVERITIES.indexOf(b);
}

/**
 * Raises the incident's severity when an alert joining it (a new member of the group, a repeated
 * trigger that is more severe, an incarnation attaching to it) maps (through the integration's
 * `severityMapping`) to a more severe one: `ChangeIncidentSeverity` with the reason. Never lowers it
 * (a human may; the alert does not), and does nothing to an incident that is not open. Pure.
 */
export function raiseIncidentSeverityWhenAlertEscalates(event: AlertTriggered | AlertRetriggered, context: AlertReactionContext): IncidentCommand[] {
  const incident = incidentStateOf(context.incidentEvents);
  if (incident.status === 'none' || incident.status === 'resolved' || incident.status === 'closed') return [];
  const mapped = context.integration.severityMapping[event.data.severity];
  if (!isMoreSevere(mapped, incident.severity)) return [];
  const which = event.data.fingerprint !== undefined ? `Alert ${event.data.fingerprint}` : `Alert ${event.data.dedupKey}`;
  return [
    {
      type: 'ChangeIncidentSeverity',
      data: {
        incidentId: incidentIdIn(event, context),
        severity: mapped,
        reason: `${which} (${event.data.severity}: ${event.data.summary}) raised the severity from ${incident.severity} to ${mapped}; alerts never lower it.`.slice(0, 10_000),
      },
      metadata: commandMetadata(event, context, 'severity'),
    },
  ];
}
