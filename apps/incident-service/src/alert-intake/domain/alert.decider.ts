import type { FieldError } from '@fireline/errors';
import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { Decider } from '@fireline/event-store/decider';
import type { AlertCommand, AlertKey, TriggerAlert } from './alert.commands';
import { invalidAlertCommand } from './alert.errors';
import type { AlertEvent, AlertEventBase } from './alert.events';
import { evolveAlert, initialAlertState, isAlertOpen, type AlertState } from './alert.state';
import { ALERT_LIMITS, ALERT_SEVERITIES } from './alert.values';

/**
 * Decides what an alert command causes, with PagerDuty's Events API v2 semantics
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ and …/acknowledge-events/,
 * …/resolve-events/):
 * - trigger with no open alert (never triggered, or resolved): `AlertTriggered`, incarnation n+1;
 * - trigger while open (triggered or acknowledged): `AlertRetriggered`, counted (deduplicated);
 * - acknowledge an open, unacknowledged alert: `AlertAcknowledged`; otherwise dropped (`[]`);
 * - resolve an open alert: `AlertResolved`; otherwise dropped (`[]`).
 * Grouped streams (Alertmanager: the stream is the group, each command names a member by
 * `fingerprint`) track the set of firing members of the open incarnation:
 * - trigger of a member already firing: dropped (a re-send of the same group state changes nothing);
 * - trigger of a new member while open: `AlertRetriggered` with its fingerprint (it joins the incarnation);
 * - resolve of a firing member: `AlertMemberResolved` while others still fire, `AlertResolved` for the
 *   last one; resolve of a member that is not firing: dropped.
 * Pure: time and actor come from `command.metadata`.
 *
 * @throws ValidationError `ALERT.INVALID` for malformed command data.
 */
export function decideAlert(command: AlertCommand, state: AlertState): AlertEvent[] {
  validate(command);
  switch (command.type) {
    case 'TriggerAlert':
      return trigger(command, state);
    case 'AcknowledgeAlert':
      if (!isAlertOpen(state) || state.status === 'acknowledged') return [];
      return [{ type: 'AlertAcknowledged', data: base(command.data, state.incarnation, command.metadata) }];
    case 'ResolveAlert': {
      if (!isAlertOpen(state)) return [];
      const { fingerprint, summary } = command.data;
      const at = { ...base(command.data, state.incarnation, command.metadata), ...(command.data.expired ? { expired: true as const } : {}) };
      if (fingerprint === undefined) return [{ type: 'AlertResolved', data: { ...at, summary } }];
      if (!state.firing.includes(fingerprint)) return [];
      const stillFiring = state.firing.length - 1;
      if (stillFiring > 0) return [{ type: 'AlertMemberResolved', data: { ...at, fingerprint, summary, stillFiring } }];
      return [{ type: 'AlertResolved', data: { ...at, summary, fingerprint } }];
    }
    default: {
      const _exhaustive: never = command;
      throw invalidAlertCommand([{ field: 'type', message: `unknown command type ${String((_exhaustive as { type?: unknown }).type)}` }]);
    }
  }
}

/** The alert aggregate: {@link decideAlert}, {@link evolveAlert}, {@link initialAlertState}. */
export const alertDecider: Decider<AlertCommand, AlertEvent, AlertState> = {
  decide: decideAlert,
  evolve: evolveAlert,
  initialState: () => initialAlertState,
};

function trigger(command: TriggerAlert, state: AlertState): AlertEvent[] {
  const { data } = command;
  const member = data.fingerprint !== undefined ? { fingerprint: data.fingerprint } : {};
  if (isAlertOpen(state)) {
    if (data.fingerprint !== undefined && state.firing.includes(data.fingerprint)) return [];
    return [
      {
        type: 'AlertRetriggered',
        data: {
          ...base(data, state.incarnation, command.metadata),
          triggerCount: state.triggerCount + 1,
          summary: data.summary,
          severity: data.severity,
          ...member,
        },
      },
    ];
  }
  return [{ type: 'AlertTriggered', data: { ...data, ...base(data, state.incarnation + 1, command.metadata) } }];
}

function base(key: AlertKey, incarnation: number, metadata: CommandMetadata): AlertEventBase {
  return { integrationId: key.integrationId, dedupKey: key.dedupKey, incarnation, at: metadata.now.toISOString(), by: metadata.actor };
}

function validate(command: AlertCommand): void {
  const errors: FieldError[] = [];
  const data = command.data as Partial<TriggerAlert['data']> | undefined;
  if (typeof data !== 'object' || data === null) throw invalidAlertCommand([{ field: 'data', message: 'must be an object' }]);
  text(errors, 'integrationId', data.integrationId, 200);
  text(errors, 'dedupKey', data.dedupKey, ALERT_LIMITS.dedupKeyMax);
  if (command.type !== 'AcknowledgeAlert' && data.fingerprint !== undefined) text(errors, 'fingerprint', data.fingerprint, ALERT_LIMITS.fingerprintMax);
  if (command.type === 'TriggerAlert') {
    text(errors, 'summary', data.summary, ALERT_LIMITS.summaryMax);
    text(errors, 'source', data.source, ALERT_LIMITS.textMax);
    if (!(ALERT_SEVERITIES as readonly unknown[]).includes(data.severity)) {
      errors.push({ field: 'severity', message: `must be one of ${ALERT_SEVERITIES.join(', ')}` });
    }
  }
  if (errors.length > 0) throw invalidAlertCommand(errors);
}

function text(errors: FieldError[], field: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.trim() === '') errors.push({ field, message: 'must be a non-blank string' });
  else if ([...value].length > max) errors.push({ field, message: `must be at most ${max} characters` });
}
