import type { IncidentCommand } from '../../incidents/domain/incident.commands';
import type { AlertEvent } from '../domain/alert.events';
import type { AlertReactionContext } from './alert-incident';
import { acknowledgeIncidentWhenAlertAcknowledged } from './acknowledge-incident-when-alert-acknowledged.workflow';
import { declareIncidentWhenAlertTriggered } from './declare-incident-when-alert-triggered.workflow';
import { noteAlertMembershipChanges } from './note-alert-membership-changes.workflow';
import { raiseIncidentSeverityWhenAlertEscalates } from './raise-incident-severity-when-alert-escalates.workflow';
import { resolveIncidentWhenAlertsResolved } from './resolve-incident-when-alerts-resolved.workflow';

/**
 * The incident commands one stored alert event calls for, in order (pure; their ids derive from the
 * alert event's, so reacting twice appends nothing new):
 * - `AlertTriggered`: `declare-incident-when-alert-triggered` (or attach to the still-open incident);
 * - `AlertRetriggered` of an ungrouped alert: only `raise-incident-severity-when-alert-escalates` (a
 *   repeated trigger only counts, as in PagerDuty; most never reach the stream, see `alert_dedup`);
 * - `AlertRetriggered` of a group member (it joined): `note-alert-membership-changes` (summarised) and
 *   `raise-incident-severity-when-alert-escalates`;
 * - `AlertMemberResolved`: `note-alert-membership-changes`;
 * - `AlertAcknowledged`: `acknowledge-incident-when-alert-acknowledged`;
 * - `AlertResolved`: `resolve-incident-when-alerts-resolved`.
 */
export function incidentCommandsForAlert(event: AlertEvent, context: AlertReactionContext): IncidentCommand[] {
  switch (event.type) {
    case 'AlertTriggered':
      return declareIncidentWhenAlertTriggered(event, context);
    case 'AlertRetriggered':
      return event.data.fingerprint === undefined
        ? raiseIncidentSeverityWhenAlertEscalates(event, context)
        : [...noteAlertMembershipChanges(event, context), ...raiseIncidentSeverityWhenAlertEscalates(event, context)];
    case 'AlertMemberResolved':
      return noteAlertMembershipChanges(event, context);
    case 'AlertAcknowledged':
      return acknowledgeIncidentWhenAlertAcknowledged(event, context);
    case 'AlertResolved':
      return resolveIncidentWhenAlertsResolved(event, context);
    default: {
      const _exhaustive: never = event;
      throw new Error(`unknown alert event ${String((_exhaustive as { type?: unknown }).type)}`);
    }
  }
}
