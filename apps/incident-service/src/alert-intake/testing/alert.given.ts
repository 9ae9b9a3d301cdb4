import { givenWhenThen } from '@fireline/event-store/testing/decider.given';
import { ALERT_ERROR_CODES } from '../domain/alert.errors';
import { alertDecider } from '../domain/alert.decider';

/**
 * Given/when/then for the alert decider (`givenWhenThen` of libs/event-store):
 *
 *     givenAlert(anAlertTriggered()).when(aResolveAlertCommand()).then(anAlertResolved());
 */
export const givenAlert = givenWhenThen(alertDecider, { invalidCode: ALERT_ERROR_CODES.invalid });
