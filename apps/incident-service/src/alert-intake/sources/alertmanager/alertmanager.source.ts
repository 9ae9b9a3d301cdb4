import type { AlertCommandResult } from '../../application/execute-alert.command';
import type { IntakeOutcome, IntakeTranslator } from '../../ledger/intake-translator';
import { parseAlertmanagerWebhook } from './alertmanager-webhook';
import { alertCommandsOfAlertmanager } from './alertmanager.translator';

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

/** The Alertmanager webhook source behind the translator port: one alert command per `alerts[]` entry. */
export const ALERTMANAGER_SOURCE: IntakeTranslator = {
  commandsOf(body, row, labels) {
    const parsed = parseAlertmanagerWebhook(body);
    return Promise.resolve(
      parsed.ok ? { ok: true, commands: alertCommandsOfAlertmanager(parsed.body, row, labels) } : { ok: false, errors: parsed.errors.map((e) => `${e.field} ${e.message}`) },
    );
  },
  outcomeOf: (_commands, results) => alertmanagerOutcomeOf(results),
};

