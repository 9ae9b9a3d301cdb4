import { givenWhenThen } from '@fireline/event-store/testing/decider.given';
import { incidentDecider } from '../domain/incident.decider';
import { INCIDENT_ERROR_CODES } from '../domain/incident.errors';

/**
 * Given/when/then for the incident decider (`givenWhenThen` of libs/event-store):
 *
 *     givenIncident(anIncidentDeclared()).when(aResolveIncidentCommand()).then(anIncidentResolved());
 *     givenIncident().when(aCloseIncidentCommand()).thenThrows(NotFoundError, 'INCIDENT.NOT_FOUND');
 */
export const givenIncident = givenWhenThen(incidentDecider, { invalidCode: INCIDENT_ERROR_CODES.invalid });
