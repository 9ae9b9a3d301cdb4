import type { IntegrationType } from '../integrations/domain/integration.values';
import type { AlertCommandResult } from '../application/execute-alert.command';
import type { AlertCommand } from '../domain/alert.commands';
import { parseAlertmanagerWebhook } from '../sources/alertmanager/alertmanager-webhook';
import { parseEventsV2Event } from '../sources/events-v2/events-v2-event.request.dto';
import type { AlertIntakeRow, IntakeVerdict } from './alert-intake.repository';
import { alertCommandsOfAlertmanager } from '../sources/alertmanager/alertmanager.translator';
import { alertCommandOfEventsV2 } from '../sources/events-v2/events-v2.translator';

/** What processing a row came to. */
export interface IntakeOutcome {
  verdict: Exclude<IntakeVerdict, 'rejected'>;
  reason: string;
}

type IntakeRowKey = Pick<AlertIntakeRow, 'id' | 'integrationId' | 'receivedAt'>;

/**
 * Turns a stored delivery of one integration type back into alert commands (run in order), and their
 * results into the ledger's verdict. The processor dispatches on the integration's type, so the
 * recovery worker finishes rows of every type.
 */
export interface IntakeTranslator {
  commandsOf(body: unknown, row: IntakeRowKey): Promise<{ ok: true; commands: AlertCommand[] } | { ok: false; errors: string[] }>;
  outcomeOf(commands: AlertCommand[], results: AlertCommandResult[]): IntakeOutcome;
}

/** The verdict and its reason, from what the alert command appended (or, when nothing, from the state). */
export function intakeOutcomeOf(command: AlertCommand, result: AlertCommandResult): IntakeOutcome {
  const event = result.newEvents[0];
  if (event === undefined) {
    const open = result.alert.status === 'triggered' || result.alert.status === 'acknowledged';
    const action = command.type === 'AcknowledgeAlert' ? 'acknowledge' : 'resolve';
    return { verdict: 'duplicate', reason: open ? `dropped: alert already ${result.alert.status}` : `dropped: no open alert to ${action}` };
  }
  const incarnation = (event.data as { incarnation?: number }).incarnation;
  switch (event.type) {
    case 'AlertTriggered':
      return { verdict: 'accepted', reason: `triggered: opened incarnation ${incarnation}` };
    case 'AlertRetriggered':
      return { verdict: 'duplicate', reason: `deduplicated into open incarnation ${incarnation} (trigger #${(event.data as { triggerCount: number }).triggerCount})` };
    case 'AlertAcknowledged':
      return { verdict: 'accepted', reason: `acknowledged incarnation ${incarnation}` };
    case 'AlertResolved':
      return { verdict: 'accepted', reason: `resolved incarnation ${incarnation}` };
    default:
      return { verdict: 'accepted', reason: event.type };
  }
}

/**
 * An Alertmanager delivery's verdict: `accepted` when it changed the group (an incarnation opened,
 * alerts joined or resolved), `duplicate` when every alert was already in the recorded state (a
 * re-send: Alertmanager repeats the whole group every `group_interval`/`repeat_interval`).
 */
export function alertmanagerOutcomeOf(results: AlertCommandResult[]): IntakeOutcome {
  const events = results.flatMap((r) => r.newEvents);
  const incarnation = (events.at(-1)?.data as { incarnation?: number } | undefined)?.incarnation ?? results.at(-1)?.alert.incarnation ?? 0;
  const count = (type: string) => events.filter((e) => e.type === type).length;
  const parts = [
    ...(count('AlertTriggered') > 0 ? ['opened'] : []),
    ...(count('AlertRetriggered') > 0 ? [`${count('AlertRetriggered')} alert(s) joined`] : []),
    ...(count('AlertMemberResolved') > 0 ? [`${count('AlertMemberResolved')} alert(s) resolved`] : []),
    ...(count('AlertResolved') > 0 ? ['all alerts resolved: resolved'] : []),
  ];
  if (parts.length === 0) return { verdict: 'duplicate', reason: `no change: group state already recorded (incarnation ${incarnation})` };
  return { verdict: 'accepted', reason: `group incarnation ${incarnation}: ${parts.join(', ')}` };
}

const eventsV2Translator: IntakeTranslator = {
  async commandsOf(body, row) {
    const parsed = await parseEventsV2Event(body);
    return parsed.ok ? { ok: true, commands: [alertCommandOfEventsV2(parsed.event, row)] } : { ok: false, errors: parsed.errors };
  },
  outcomeOf: (commands, results) => intakeOutcomeOf(commands[0], results[0]),
};

const alertmanagerTranslator: IntakeTranslator = {
  commandsOf(body, row) {
    const parsed = parseAlertmanagerWebhook(body);
    return Promise.resolve(
      parsed.ok ? { ok: true, commands: alertCommandsOfAlertmanager(parsed.body, row) } : { ok: false, errors: parsed.errors.map((e) => `${e.field} ${e.message}`) },
    );
  },
  outcomeOf: (_commands, results) => alertmanagerOutcomeOf(results),
};

/**
 * Translators by integration type. A type without one (`pagerduty-webhooks-v3`: processed in its own
 * request, PagerDuty's redelivery being its recovery) is closed by the processor as `not processable`
 * if the worker ever finds one of its rows still open (its request died mid-way).
 */
export const INTAKE_TRANSLATORS: Partial<Record<IntegrationType, IntakeTranslator>> = {
  'events-v2': eventsV2Translator,
  alertmanager: alertmanagerTranslator,
};
