import type { IntegrationType } from '../integrations/domain/integration.values';
import { ALERTMANAGER_SOURCE } from '../sources/alertmanager/alertmanager.source';
import { EVENTS_V2_SOURCE } from '../sources/events-v2/events-v2.source';
import type { IntakeTranslator } from './intake-translator';

export type { IntakeOutcome, IntakeTranslator } from './intake-translator';

/**
 * Translators by integration type. A type without one (`pagerduty-webhooks-v3`: processed in its own
 * request, PagerDuty's redelivery being its recovery) is closed by the processor as `not processable`
 * if the worker ever finds one of its rows still open (its request died mid-way).
 */
export const INTAKE_TRANSLATORS: Partial<Record<IntegrationType, IntakeTranslator>> = {
  'events-v2': EVENTS_V2_SOURCE,
  alertmanager: ALERTMANAGER_SOURCE,
};
