import type { IncidentCommand } from '../../incidents/domain/incident.commands';
import type { AlertAcknowledged } from '../domain/alert.events';
import { commandMetadata, incidentIdIn, type AlertReactionContext } from './alert-incident';

/** `AlertAcknowledged` (the sender acknowledged it): `AcknowledgeIncident`. Pure. */
export function acknowledgeIncidentWhenAlertAcknowledged(event: AlertAcknowledged, context: AlertReactionContext): IncidentCommand[] {
  return [{ type: 'AcknowledgeIncident', data: { incidentId: incidentIdIn(event, context) }, metadata: commandMetadata(event, context) }];
}
