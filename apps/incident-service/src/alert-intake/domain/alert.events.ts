import type { AlertDetails, AlertMember } from './alert.commands';
import type { AlertSeverity } from './alert.values';

/**
 * Carried by every stored alert event: the alert (`integrationId`, `dedupKey`), its `incarnation`
 * (1 for the first trigger, n+1 for the first trigger after the n-th resolve), `at` (ISO-8601 UTC,
 * the command's `metadata.now`) and `by` (the command's actor, `integration:<id>`).
 */
export interface AlertEventBase {
  integrationId: string;
  dedupKey: string;
  incarnation: number;
  at: string;
  by: string;
}

interface AlertEventOf<TType extends string, TData = object> {
  type: TType;
  data: AlertEventBase & TData;
}

/** The first trigger of an incarnation: the alert is open (with `fingerprint`: that member is firing). */
export type AlertTriggered = AlertEventOf<'AlertTriggered', AlertDetails & AlertMember>;
/**
 * Another trigger while the incarnation is open; `triggerCount` counts every trigger so far (2, 3, …).
 * With `fingerprint`: one more member of the group started firing (attached to the open incarnation).
 */
export type AlertRetriggered = AlertEventOf<'AlertRetriggered', { triggerCount: number; summary: string; severity: AlertSeverity } & AlertMember>;
export type AlertAcknowledged = AlertEventOf<'AlertAcknowledged'>;
/**
 * Closes the incarnation; `summary` is the resolving event's summary when it had one. With
 * `fingerprint`: the last firing member of the group resolved. `expired`: by alert expiry, not the source.
 */
export type AlertResolved = AlertEventOf<'AlertResolved', { summary: string | null; expired?: true } & AlertMember>;
/** One member of a grouped alert resolved while `stillFiring` others keep the incarnation open. */
export type AlertMemberResolved = AlertEventOf<'AlertMemberResolved', { fingerprint: string; summary: string | null; stillFiring: number; expired?: true }>;

/** Every stored alert event (schema version 1), private to incident-service. */
export type AlertEvent = AlertTriggered | AlertRetriggered | AlertAcknowledged | AlertResolved | AlertMemberResolved;
export type AlertEventType = AlertEvent['type'];

export const ALERT_EVENT_TYPES = [
  'AlertTriggered',
  'AlertRetriggered',
  'AlertAcknowledged',
  'AlertResolved',
  'AlertMemberResolved',
] as const satisfies readonly AlertEventType[];

// Fails to compile when an event type is missing from the list above.
type _AllAlertEventTypesListed = AlertEventType extends (typeof ALERT_EVENT_TYPES)[number] ? true : never;
const _allAlertEventTypesListed: _AllAlertEventTypesListed = true;
void _allAlertEventTypesListed;
